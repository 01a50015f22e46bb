"""Reads the `name value unit` lines of one benchmark run and prints the table with
ratios and targets (scripts/bench.sh)."""

import sys

figures = {}
for line in sys.stdin:
    parts = line.split()
    if len(parts) == 3:
        try:
            figures[parts[0]] = float(parts[1])
        except ValueError:
            pass


def get(name):
    return figures.get(name)


def row(what, value, unit, ratio="", target=""):
    shown = "n/a" if value is None else f"{value:,.1f} {unit}"
    print(f"| {what} | {shown} | {ratio} | {target} |")


def ratio(a, b, fmt="{:.2f}x"):
    return fmt.format(a / b) if a is not None and b else "n/a"


def verdict(ok):
    return "met" if ok else "NOT met"


sign, floor = get("sign.twfollow"), get("sign.hmac_floor")
print("| measure | figure | ratio | target |")
print("|---|---|---|---|")
row("signing: twfollow (nonce, clock, normalisation, HMAC, base64, header)", sign, "ns", ratio(sign, floor) + " of floor",
    f"<= 2x floor: {verdict(sign and floor and sign <= 2 * floor)}")
row("signing: raw HMAC-SHA1 of the same base string (floor)", floor, "ns")
row("signing: of which nonce + clock", get("sign.nonce_and_clock"), "ns")
row("signing: with a fixed nonce", get("sign.with_fixed_nonce"), "ns", ratio(get("sign.with_fixed_nonce"), floor) + " of floor")
row("signing: liboauth oauth_sign_url2", get("sign.liboauth"), "ns", ratio(get("sign.liboauth"), sign) + " of twfollow")
row("signing: oauthlib Client.sign", get("sign.oauthlib"), "ns", ratio(get("sign.oauthlib"), sign) + " of twfollow")
c, curl, py, ro = get("e2e.c_api"), get("e2e.curl"), get("e2e.python_package"), get("e2e.requests_oauthlib")
row("keep-alive follows: C API", c, "/s", ratio(c, curl) + " of curl",
    f">= 0.9x curl: {verdict(c and curl and c >= 0.9 * curl)}")
row("keep-alive follows: curl (unsigned, transport floor)", curl, "/s")
raw = get("e2e.raw_tcp_floor")
row("keep-alive: raw socket, same bytes, no client (this machine's ceiling)", raw, "/s", ratio(c, raw) + " reached by the C API")
row("keep-alive follows: C API vs requests-oauthlib", c, "/s", ratio(c, ro),
    f">= 15x: {verdict(c and ro and c >= 15 * ro)}")
row("keep-alive follows: Python package", py, "/s", ratio(py, ro) + " of requests-oauthlib",
    f">= 10x: {verdict(py and ro and py >= 10 * ro)}")
row("keep-alive follows: requests + requests-oauthlib Session", ro, "/s")
one = get("threads.1")
for t in (1, 2, 4, 8):
    v = get(f"threads.{t}")
    row(f"threads sharing one config: {t}", v, "/s", ratio(v, one) + " of 1 thread", "no fall as threads are added" if t == 8 else "")
row("cold start: tw_config_new to first follow (http)", get("cold.first_follow_http"), "us")
row("cold start: first HTTPS follow (CA file, handshake)", get("cold.first_follow_https"), "us")
row("cold start: second config, first HTTPS follow", get("cold.second_config_first_https"), "us")
row("fresh TLS connection per follow", get("tls.fresh_connection_follow"), "us")
row("built-in roots: first config to TLS verdict", get("tls.webpki_first_config"), "us")
row("built-in roots: second config (shared set-up)", get("tls.webpki_second_config"), "us")
row("heap allocations per follow", get("memory.allocations_per_follow"), "")
off = get("trace.off")
row("wire trace off (no hook: every call's path)", off, "/s")
row("wire trace set, then removed", get("trace.removed"), "/s", ratio(get("trace.removed"), off) + " of off",
    "no cost once removed")
row("wire trace on (a hook that counts lines)", get("trace.on"), "/s", ratio(get("trace.on"), off) + " of off")
row("wire trace: lines per follow", get("trace.lines_per_follow"), "")
row("wire trace: allocations per follow, off / on", get("trace.allocations_per_follow_off"), "",
    "" if get("trace.allocations_per_follow_on") is None else f"on: {get('trace.allocations_per_follow_on'):.1f}")
row("peak RSS after ~1 000 follows", get("memory.peak_rss_after_1k_plus"), "MiB")
row("peak RSS after 100 000 more", get("memory.peak_rss_after_100k_more"), "MiB",
    ratio(get("memory.peak_rss_after_100k_more"), get("memory.peak_rss_after_1k_plus")))
