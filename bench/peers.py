"""The Python side of scripts/bench.sh: oauthlib signing, the twfollow package, and
requests + requests-oauthlib, against the same fast server. Prints `name value unit`."""

import sys
import time

import requests
from oauthlib.oauth1 import Client as OAuthClient
from requests_oauthlib import OAuth1

import twfollow

CREDS = ("bench-key", "bench-secret", "1-bench-token", "bench-token-secret")
BODY = "user_id=2244994945&follow=false"


def best_per_call(fn, n, rounds=3):
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - started) / n)
    return best


def median_rates(fns, n, rounds=3):
    """Calls per second of each of fns, the median of `rounds` rounds of n calls each."""
    rates = [[] for _ in fns]
    for _ in range(rounds):
        for fn, fn_rates in zip(fns, rates):
            started = time.perf_counter()
            for _ in range(n):
                fn()
            fn_rates.append(n / (time.perf_counter() - started))
    return [sorted(r)[len(r) // 2] for r in rates]


def median_rate(fn, n):
    return median_rates([fn], n)[0]


def main():
    base_url, n = sys.argv[1], int(sys.argv[2])
    url = f"{base_url}/1.1/friendships/create.json"
    if sys.argv[3:] == ["--round"]:
        # One round of scripts/bench.sh's interleaved rounds: the package's two calls only.
        with twfollow.Client(*CREDS, base_url=base_url) as tw:
            for _ in range(n // 10):  # connect, warm up
                tw.follow(2244994945)
            follow, follow_json = median_rates([lambda: tw.follow(2244994945), lambda: tw.follow_json(2244994945)], n, rounds=1)
        print(f"round.python_follow {follow:.3f} follows/s")
        print(f"round.python_follow_json {follow_json:.3f} follows/s")
        return

    client = OAuthClient(*CREDS)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    signing = best_per_call(
        lambda: client.sign("https://api.twitter.com/1.1/friendships/create.json", "POST", BODY, headers), 2000
    )
    print(f"sign.oauthlib {signing * 1e9:.3f} ns")

    with twfollow.Client(*CREDS, base_url=base_url) as tw:
        for _ in range(n // 10):  # connect, warm up
            tw.follow(2244994945)
        # Rounds of the two alternate, so that both see the same load.
        follow, follow_json = median_rates([lambda: tw.follow(2244994945), lambda: tw.follow_json(2244994945)], n)
        print(f"e2e.python_follow {follow:.3f} follows/s")
        print(f"e2e.python_follow_json {follow_json:.3f} follows/s")

    session = requests.Session()
    session.auth = OAuth1(*CREDS)
    session.post(url, data={"user_id": "2244994945", "follow": "false"}).raise_for_status()
    m = max(n // 10, 200)  # it is slow; fewer calls give the same rate
    rate = median_rate(
        lambda: session.post(url, data={"user_id": "2244994945", "follow": "false"}).raise_for_status(), m
    )
    print(f"e2e.requests_oauthlib {rate:.3f} follows/s")


if __name__ == "__main__":
    main()
