"""Reads the `name value unit` lines of one benchmark run and prints one table of
same-run ratios against the issue's targets (scripts/bench.sh). Never fails on timing."""

import sys

figures = {}
rounds = {}  # round.NAME: one figure per interleaved round, in order
for line in sys.stdin:
    parts = line.split()
    if len(parts) == 3:
        try:
            value = float(parts[1])
        except ValueError:
            continue
        figures[parts[0]] = value
        rounds.setdefault(parts[0], []).append(value)
get = figures.get


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else None


def round_ratio(a, b):
    """The median over the rounds of round.a / round.b (each pair from the same round)."""
    pairs = zip(rounds.get(f"round.{a}", []), rounds.get(f"round.{b}", []))
    return median(x / y for x, y in pairs if y)


def round_median(name):
    return median(rounds.get(f"round.{name}", []))


def div(a, b):
    return a / b if a is not None and b else None


def extra_us(slow, fast):
    """What a call at rate `slow` spends beyond one at rate `fast`, in microseconds."""
    return 1e6 / slow - 1e6 / fast if slow and fast else None


def row(what, value, target="", ok=None):
    shown = "n/a" if value is None else f"{value:,.2f}"
    verdict = "" if ok is None or value is None else (" met" if ok(value) else " NOT met")
    print(f"| {what} | {shown} | {target}{':' if verdict else ''}{verdict} |")


def figure(what, value, unit):
    shown = "n/a" if value is None else f"{value:,.1f} {unit}"
    print(f"| {what} | {shown} |")


wrk, c, py, pyj = (get(f"e2e.{n}") for n in ("wrk_floor", "c_api", "python_follow", "python_follow_json"))
curl, ro = get("e2e.curl"), get("e2e.requests_oauthlib")
print("| ratio (same run) | value | target |")
print("|---|---|---|")
row("C API / wrk floor, HTTP keep-alive (median of 3 interleaved rounds)", round_ratio("c_api", "wrk"), ">= 0.85",
    lambda v: v >= 0.85)
row("Python Client.follow / wrk floor (same rounds)", round_ratio("python_follow", "wrk"), ">= 0.70",
    lambda v: v >= 0.70)
row("Python Client.follow_json / wrk floor (same rounds)", round_ratio("python_follow_json", "wrk"))
row("Python Client.follow / C API (same rounds)", round_ratio("python_follow", "c_api"))
row("C API / curl keep-alive", div(c, curl))
row("C API / requests-oauthlib", div(c, ro))
row("Python Client.follow / requests-oauthlib", div(py, ro))
row("HTTPS keep-alive: C API / curl", div(get("tls.c_api"), get("tls.curl")), ">= 1.2", lambda v: v >= 1.2)
row("cold HTTPS follow, process start to answer: tw-follow / curl (time)",
    div(get("cold.tw_follow_https"), get("cold.curl_https")), "<= 1.0", lambda v: v <= 1.0)
row("signing / raw HMAC-SHA1 of the same base string (time)",
    div(get("sign.twfollow"), get("sign.hmac_floor")), "<= 2", lambda v: v <= 2)
row("signing with a fixed nonce / raw HMAC-SHA1 (time)", div(get("sign.with_fixed_nonce"), get("sign.hmac_floor")))
row("heap allocations per follow", get("memory.allocations_per_follow"), "<= 30", lambda v: v <= 30)
row("peak RSS after 100,000 more follows / after 1,000",
    div(get("memory.peak_rss_after_100k_more"), get("memory.peak_rss_after_1k_plus")), "flat (<= 1.05)",
    lambda v: v <= 1.05)
print()
print("| figure (this run only; absolute numbers are noisy) | value |")
print("|---|---|")
rw, rc, rp, rpj = (round_median(n) for n in ("wrk", "c_api", "python_follow", "python_follow_json"))
figure("rounds: wrk -t1 -c1 floor (median)", rw, "/s")
figure("rounds: C API (median)", rc, "/s")
figure("rounds: Python Client.follow (median)", rp, "/s")
figure("rounds: Python Client.follow_json (median)", rpj, "/s")
figure("rounds: client's own work per call (1/C - 1/wrk, medians)", extra_us(rc, rw), "us")
figure("rounds: binding's own work per call, follow (1/Python - 1/C, medians)", extra_us(rp, rc), "us")
figure("rounds: binding's own work per call, follow_json (medians)", extra_us(rpj, rc), "us")
figure("wrk -t1 -c1 floor, HTTP keep-alive", wrk, "/s")
figure("C API, HTTP keep-alive (median of 3)", c, "/s")
figure("Python Client.follow (median of 3)", py, "/s")
figure("Python Client.follow_json (median of 3)", pyj, "/s")
figure("binding's own work per call, Client.follow (1/Python - 1/C)", extra_us(py, c), "us")
figure("binding's own work per call, Client.follow_json (no JSON parse)", extra_us(pyj, c), "us")
figure("client's own work per call (1/C - 1/wrk)", extra_us(c, wrk), "us")
for what, name, unit in [
    ("curl keep-alive (median of 3)", "e2e.curl", "/s"),
    ("requests + requests-oauthlib Session (median of 3)", "e2e.requests_oauthlib", "/s"),
    ("C API, HTTPS keep-alive (median of 3)", "tls.c_api", "/s"),
    ("curl, HTTPS keep-alive (median of 3)", "tls.curl", "/s"),
    ("cold HTTPS follow: tw-follow process (hyperfine median)", "cold.tw_follow_https", "us"),
    ("cold HTTPS request: curl process (hyperfine median)", "cold.curl_https", "us"),
    ("signing: twfollow (nonce, clock, normalisation, HMAC, base64, header)", "sign.twfollow", "ns"),
    ("signing: raw HMAC-SHA1 of the same base string (floor)", "sign.hmac_floor", "ns"),
    ("signing: of which nonce + clock", "sign.nonce_and_clock", "ns"),
    ("signing: liboauth oauth_sign_url2", "sign.liboauth", "ns"),
    ("signing: oauthlib Client.sign", "sign.oauthlib", "ns"),
    *((f"threads sharing one config: {t}", f"threads.{t}", "/s") for t in (1, 2, 4, 8)),
    ("in-process cold start: tw_config_new to first follow (http)", "cold.first_follow_http", "us"),
    ("in-process cold start: first HTTPS follow (CA file, handshake)", "cold.first_follow_https", "us"),
    ("fresh TLS connection per follow", "tls.fresh_connection_follow", "us"),
    ("wire trace off (no hook: every call's path), best of 5 rounds", "trace.off", "/s"),
]:
    figure(what, get(name), unit)
off = get("trace.off")
row("wire trace set, then removed / off", div(get("trace.removed"), off), "no cost once removed")
row("wire trace on (a hook that counts lines) / off", div(get("trace.on"), off))
figure("wire trace: lines per follow", get("trace.lines_per_follow"), "")
figure("wire trace: allocations per follow, off", get("trace.allocations_per_follow_off"), "")
figure("wire trace: allocations per follow, on", get("trace.allocations_per_follow_on"), "")
figure("new config + follow, from the environment (best of 5 rounds)", get("store.open_follow_env"), "us")
figure("new config + follow, from the token store (same rounds)", get("store.open_follow_store"), "us")
row("token store: extra time per new config (same run)", get("store.extra_per_open"), "<= 1000 us",
    lambda v: v <= 1000)
row("token store / environment: new config + follow", get("store.store_over_env"))
figure("stored refresh, whole (sandbox token endpoint, file store)", get("store.refresh_whole"), "us")
figure("kill -9 window, the library's part: answer read to pair durable (median)",
       get("store.refresh_answer_to_durable_median"), "us")
figure("kill -9 window, the library's part (p99)", get("store.refresh_answer_to_durable_p99"), "us")
row("kill -9 window, the library's part / whole refresh", get("store.refresh_durable_share"))
figure("peak RSS after ~1,000 follows", get("memory.peak_rss_after_1k_plus"), "MiB")
figure("peak RSS after 100,000 more", get("memory.peak_rss_after_100k_more"), "MiB")
size, stripped = get("library.size_bytes"), get("library.stripped_bytes")
figure("release libtwfollow.so", size / 2**20 if size else None, "MiB")
figure("release libtwfollow.so, stripped", stripped / 2**20 if stripped else None, "MiB")
