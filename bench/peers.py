"""The Python side of scripts/bench.sh: oauthlib signing, the twfollow package, and
requests + requests-oauthlib, against the same fast server. Prints `name value unit`."""

import sys
import time

import requests
from oauthlib.oauth1 import Client as OAuthClient
from requests_oauthlib import OAuth1

import twfollow

CREDS = ("bench-key", "bench-secret", "1-bench-token", "bench-token-secret")
FORM = {"user_id": "2244994945", "follow": "false"}
FORM_BODY = "user_id=2244994945&follow=false"


def median_rates(fns, n, rounds=3):
    """Calls per second of each of fns, the median of `rounds` rounds of n calls each;
    the rounds of the functions alternate, so that all see the same load."""
    rates = [[] for _ in fns]
    for _ in range(rounds):
        for fn, fn_rates in zip(fns, rates):
            started = time.perf_counter()
            for _ in range(n):
                fn()
            fn_rates.append(n / (time.perf_counter() - started))
    return [sorted(r)[len(r) // 2] for r in rates]


def time_per_calls(fn, n):
    """Seconds per call of n calls."""
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n


def package_rates(base_url, n, prefix, rounds):
    """`Client.follow` and `Client.follow_json` against base_url, after a warm-up."""
    with twfollow.Client(*CREDS, base_url=base_url) as tw:
        for _ in range(n // 10):  # connect, warm up
            tw.follow(2244994945)
        calls = [lambda: tw.follow(2244994945), lambda: tw.follow_json(2244994945)]
        follow, follow_json = median_rates(calls, n, rounds)
    print(f"{prefix}.python_follow {follow:.3f} follows/s")
    print(f"{prefix}.python_follow_json {follow_json:.3f} follows/s")


def main():
    base_url, n = sys.argv[1], int(sys.argv[2])
    if sys.argv[3:] == ["--round"]:
        # One round of scripts/bench.sh's interleaved rounds: the package's two calls only.
        return package_rates(base_url, n, "round", rounds=1)

    client = OAuthClient(*CREDS)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def sign():
        client.sign("https://api.twitter.com/1.1/friendships/create.json", "POST", FORM_BODY, headers)

    signing = min(time_per_calls(sign, 2000) for _ in range(3))
    print(f"sign.oauthlib {signing * 1e9:.3f} ns")

    package_rates(base_url, n, "e2e", rounds=3)

    url = f"{base_url}/1.1/friendships/create.json"
    session = requests.Session()
    session.auth = OAuth1(*CREDS)
    session.post(url, data=FORM).raise_for_status()
    m = max(n // 10, 200)  # it is slow; fewer calls give the same rate
    [rate] = median_rates([lambda: session.post(url, data=FORM).raise_for_status()], m)
    print(f"e2e.requests_oauthlib {rate:.3f} follows/s")


if __name__ == "__main__":
    main()
