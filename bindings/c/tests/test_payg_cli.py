"""tw-follow on the pay-per-use refusals (issue 22): the status line and exit code, one
request sent (counted at the sandbox), and `--trace` ends with the requests sent and the
24-hour budgets."""

from __future__ import annotations

import re

import pytest

APPS = {
    "credits": ("sandbox-creditless-key", "sandbox-creditless-secret"),
    "cap": ("sandbox-capped-key", "sandbox-capped-secret"),
}

SUMMARY = re.compile(
    r"\* requests sent: (\d+)\n"
    r"\* 24-hour budgets: user (\d+) of (\d+) left, resets at (\d+); app (\d+) of (\d+) left, resets at (\d+)\n"
)


# One row a status, each in one API version: both versions' answers are tests/payg.rs's.
@pytest.mark.parametrize(
    "app,version,status,start",
    [
        ("credits", "1.1", "TW_STATUS_PAYMENT_REQUIRED", "HTTP 402: CreditsDepleted: Your enrolled account ["),
        ("cap", "2", "TW_STATUS_USAGE_CAPPED", "HTTP 429: UsageCapExceeded: Usage cap exceeded: Monthly product cap."),
    ],
)
def test_refusals_of_the_bill_exit_78_after_one_request(cli, sandbox, sandbox_env, app, version, status, start):
    key, secret = APPS[app]
    env = dict(sandbox_env, TW_CONSUMER_KEY=key, TW_CONSUMER_SECRET=secret)
    before = sandbox.requests_seen()
    result = cli.run(["--api-version", version, "Twitter"], env)
    assert result.returncode == 78, result.stderr
    assert result.stderr.startswith(f"{status}: {start}"), result.stderr
    assert " To fix: " in result.stderr
    assert sandbox.requests_seen() - before == 1
    assert result.stdout == ""


def test_trace_ends_with_the_requests_sent_and_the_budgets(cli, start_sandbox, sandbox_env):
    sandbox = start_sandbox("--day-budget", "4")
    env = dict(sandbox_env, TW_API_BASE=sandbox.base_url)
    summaries = []
    for _ in range(2):
        result = cli.run(["--trace", "--api-version", "2", "@twitterdev"], env)
        assert result.returncode == 0, result.stderr
        found = SUMMARY.search(result.stderr)
        assert found and result.stderr.endswith(found.group(0)), result.stderr
        summaries.append(found.groups())
    # Each run sent a lookup and the follow; the user's budget counted both.
    assert [s[:3] for s in summaries] == [("2", "2", "4"), ("2", "0", "4")], summaries


def test_a_spent_day_budget_exits_75_after_one_request(cli, start_sandbox, sandbox_env):
    sandbox = start_sandbox("--day-budget", "1")
    env = dict(sandbox_env, TW_API_BASE=sandbox.base_url)
    assert cli.run(["twitterdev"], env).returncode == 0
    for _ in range(2):
        before = sandbox.requests_seen()
        result = cli.run(["--trace", "twitterdev"], env)
        assert result.returncode == 75, result.stderr
        assert sandbox.requests_seen() - before == 1
        status_line = result.stderr.splitlines()[-1]
        assert status_line.startswith(
            "TW_STATUS_RATE_LIMITED: HTTP 429, error 88: Rate limit exceeded; the user's 24-hour budget is spent (0 of 1 left), it resets at "
        ), result.stderr
        assert "* requests sent: 1\n" in result.stderr
