"""The Python side of scripts/bench.sh, against the same fast server; prints `name value unit`.

peers.py BASE_URL N --round   the twfollow package: Client.follow and Client.follow_json
                              (one of the script's interleaved rounds)
peers.py BASE_URL N           requests + requests-oauthlib
"""

import sys
import time
from functools import partial

import requests
import twfollow
from requests_oauthlib import OAuth1

CREDS = ("bench-key", "bench-secret", "1-bench-token", "bench-token-secret")
FORM = {"user_id": "2244994945", "follow": "false"}


def seconds(fn, n):
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - started


def main():
    base_url, n = sys.argv[1], int(sys.argv[2])
    if sys.argv[3:] == ["--round"]:
        with twfollow.Client(*CREDS, base_url=base_url) as tw:
            seconds(lambda: tw.follow(2244994945), n // 10)  # connect, warm up
            # One after the other, so that both see the same load.
            for name, fn in [("follow", tw.follow), ("follow_json", tw.follow_json)]:
                print(f"round.python_{name} {n / seconds(partial(fn, 2244994945), n):.3f} follows/s")
        return

    session = requests.Session()
    session.auth = OAuth1(*CREDS)
    url = f"{base_url}/1.1/friendships/create.json"

    def post():
        session.post(url, data=FORM).raise_for_status()

    post()
    m = max(n // 10, 200)  # it is slow; fewer calls give the same rate
    rates = sorted(m / seconds(post, m) for _ in range(3))
    print(f"e2e.requests_oauthlib {rates[1]:.3f} follows/s")


if __name__ == "__main__":
    main()
