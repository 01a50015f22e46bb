"""Reads the `name value unit` lines of one benchmark run and prints one table of
same-run ratios against the issue's targets (scripts/bench.sh). Never fails on timing."""

import re
import sys

figures = {}  # name: its values in order (round.NAME: one per interleaved round)
for line in sys.stdin:
    parts = line.split()
    if len(parts) == 3 and re.fullmatch(r"-?[\d.]+", parts[1]):
        figures.setdefault(parts[0], []).append(float(parts[1]))


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else None


def get(name):
    """A figure; of a round's figure, the median over the rounds."""
    return median(figures.get(name, []))


def div(a, b):
    """a / b; of two rounds' figures, the median over the rounds of each round's ratio."""
    if a.startswith("round.") and b.startswith("round."):
        return median(x / y for x, y in zip(figures.get(a, []), figures.get(b, [])) if y)
    a, b = get(a), get(b)
    return a / b if a is not None and b else None


def extra_us(slow, fast):
    """What a call at rate `slow` spends beyond one at rate `fast`, in microseconds."""
    slow, fast = get(slow), get(fast)
    return 1e6 / slow - 1e6 / fast if slow and fast else None


def row(what, value, target=""):
    """A ratio, and whether it meets the target's bound (`>= X` or `<= X`) if it has one."""
    shown = "n/a" if value is None else f"{value:,.2f}"
    bound = re.search(r"([<>]=) ([\d.]+)", target)
    if bound and value is not None:
        met = value >= float(bound[2]) if bound[1] == ">=" else value <= float(bound[2])
        target += ": met" if met else ": NOT met"
    print(f"| {what} | {shown} | {target} |")


print("| ratio (same run) | value | target |")
print("|---|---|---|")
row("C API / wrk floor, HTTP keep-alive (median of 3 interleaved rounds)", div("round.c_api", "round.wrk"), ">= 0.85")
row("Python Client.follow / wrk floor (same rounds)", div("round.python_follow", "round.wrk"), ">= 0.70")
row("Python Client.follow_json / wrk floor (same rounds)", div("round.python_follow_json", "round.wrk"))
row("Python Client.follow / C API (same rounds)", div("round.python_follow", "round.c_api"))
row("C API / curl keep-alive", div("round.c_api", "e2e.curl"))
row("C API / requests-oauthlib", div("round.c_api", "e2e.requests_oauthlib"))
row("Python Client.follow / requests-oauthlib", div("round.python_follow", "e2e.requests_oauthlib"))
row("HTTPS keep-alive: C API / curl", div("tls.c_api", "tls.curl"), ">= 1.2")
row(
    "cold HTTPS follow, process start to answer: tw-follow / curl (time)",
    div("cold.tw_follow_https", "cold.curl_https"),
    "<= 1.0",
)
row("signing / raw HMAC-SHA1 of the same base string (time)", div("sign.twfollow", "sign.hmac_floor"), "<= 2")
row("signing with a fixed nonce / raw HMAC-SHA1 (time)", div("sign.with_fixed_nonce", "sign.hmac_floor"))
row("heap allocations per follow", get("memory.allocations_per_follow"), "<= 30")
row(
    "peak RSS after 100,000 more follows / after 1,000",
    div("memory.peak_rss_after_100k_more", "memory.peak_rss_after_1k_plus"),
    "flat (<= 1.05)",
)
row("wire trace set, then removed / off", div("trace.removed", "trace.off"), "no cost once removed")
row("wire trace on (a hook that counts lines) / off", div("trace.on", "trace.off"))
from_env, from_store = get("store.open_follow_env"), get("store.open_follow_store")
extra = from_store - from_env if from_env and from_store else None
row("token store: extra time per new config (same run)", extra, "<= 1000 us")
row("token store / environment: new config + follow", div("store.open_follow_store", "store.open_follow_env"))
row(
    "kill -9 window, the library's part / whole refresh",
    div("store.refresh_answer_to_durable_median", "store.refresh_whole"),
)
print()
# The run's other figures are its `name value unit` lines, printed above the table; these are
# the ones made from several of them.
print("| figure (this run only; absolute numbers are noisy) | value |")
print("|---|---|")
for what, value, unit in [
    ("wrk -t1 -c1 floor, HTTP keep-alive (median of 3 rounds)", get("round.wrk"), "/s"),
    ("C API, HTTP keep-alive (median of 3 rounds)", get("round.c_api"), "/s"),
    ("Python Client.follow (median of 3 rounds)", get("round.python_follow"), "/s"),
    ("Python Client.follow_json (median of 3 rounds)", get("round.python_follow_json"), "/s"),
    ("client's own work per call (1/C - 1/wrk, medians)", extra_us("round.c_api", "round.wrk"), "us"),
    ("binding's own work per call, follow (1/Python - 1/C)", extra_us("round.python_follow", "round.c_api"), "us"),
    (
        "binding's own work per call, follow_json (no JSON parse)",
        extra_us("round.python_follow_json", "round.c_api"),
        "us",
    ),
]:
    print(f"| {what} | {'n/a' if value is None else f'{value:,.1f} {unit}'} |")
