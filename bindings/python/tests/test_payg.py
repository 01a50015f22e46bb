"""The pay-per-use X API from Python (issue 22): spent credits and usage caps raise their
own classes and are sent once, a v2 problem's members are attributes, the 24-hour
budgets are read (RateLimitError.reset_at is the reset that binds), and
client.last_request_count says what each call sent (the sandbox counts what arrived)."""

from __future__ import annotations

import asyncio
import time

import pytest
import twfollow

CREDITLESS = ("sandbox-creditless-key", "sandbox-creditless-secret")
CAPPED = ("sandbox-capped-key", "sandbox-capped-secret")
UNENROLLED = ("sandbox-unenrolled-key", "sandbox-unenrolled-secret")


def as_app(app, account_of, n=1):
    return app + account_of(n)[2:]


def test_spent_credits_raise_payment_required_once(sandbox, account_of):
    with twfollow.Client(*as_app(CREDITLESS, account_of), base_url=sandbox.base_url, max_retries=3) as client:
        before = sandbox.requests_seen()
        with pytest.raises(twfollow.PaymentRequiredError) as caught:
            client.follow("twitterdev")
        assert sandbox.requests_seen() - before == 1
        error = caught.value
        assert (error.http_status, error.status, error.request_count) == (402, twfollow.Status.PAYMENT_REQUIRED, 1)
        assert client.last_request_count == 1
        assert error.title == "CreditsDepleted"
        assert error.problem_type == "https://api.twitter.com/2/problems/credits"
        assert error.detail is not None and error.detail.endswith("does not have any credits to fulfill this request.")
        assert error.reason is None and error.problem is not None
        assert str(error).startswith("HTTP 402: CreditsDepleted: Your enrolled account [")
        assert " To fix: add credits or raise the spending limit in the developer console" in str(error)
        assert not isinstance(error, twfollow.ForbiddenError)


@pytest.mark.parametrize("api_version", [1, 2])
def test_a_usage_cap_raises_its_class_once(sandbox, account_of, api_version):
    with twfollow.Client(
        *as_app(CAPPED, account_of), base_url=sandbox.base_url, max_retries=3, api_version=api_version
    ) as client:
        before = sandbox.requests_seen()
        with pytest.raises(twfollow.UsageCappedError) as caught:
            client.follow("@Twitter")
        assert sandbox.requests_seen() - before == 1
        error = caught.value
        assert (error.http_status, error.request_count, error.detail) == (
            429,
            1,
            "Usage cap exceeded: Monthly product cap",
        )
        assert "the cap resets with the billing period, not with a rate window" in str(error)
        assert not isinstance(error, twfollow.RateLimitError)


def test_problem_members_are_attributes(sandbox, account_of):
    with twfollow.Client(*as_app(UNENROLLED, account_of), base_url=sandbox.base_url, api_version=2) as client:
        with pytest.raises(twfollow.AccessTierError) as caught:
            client.follow(783214)
    error = caught.value
    assert (error.reason, error.required_enrollment) == ("client-not-enrolled", "Appropriate Level of API Access")
    assert error.registration_url == "https://developer.twitter.com/en/docs/projects/overview"
    assert f"registration: {error.registration_url}) To fix: " in str(error)
    assert error.problem == twfollow.Problem(
        "https://api.twitter.com/2/problems/client-forbidden",
        "Client Forbidden",
        error.detail,
        "client-not-enrolled",
        "Appropriate Level of API Access",
        error.registration_url,
    )


def test_day_budgets_and_a_spent_one_is_not_waited_for(start_sandbox, account_of):
    sandbox = start_sandbox("--day-budget", "2")
    with twfollow.Client(*account_of(1), base_url=sandbox.base_url, api_version=2, max_retries=3, max_wait=60) as client:
        client.follow(2244994945)
        limit = client.last_rate_limit
        assert limit is not None and limit.user_day is not None and limit.app_day is not None
        assert (limit.user_day.limit, limit.user_day.remaining) == (2, 1)
        assert client.last_day_budgets == twfollow.DayBudgets(limit.user_day, limit.app_day)
        client.follow(783214)
        before, started = sandbox.requests_seen(), time.monotonic()
        with pytest.raises(twfollow.RateLimitError) as caught:
            client.follow(1000000004)
        assert time.monotonic() - started < 2
        assert sandbox.requests_seen() - before == 1 == client.last_request_count
        day = client.last_day_budgets
        assert day is not None and day.user is not None and day.user.remaining == 0
        # The reset that binds: the user's 24-hour budget, not the 15-minute window.
        assert caught.value.reset_at == day.user.reset_at
        window = client.last_rate_limit
        assert window is not None and window.remaining > 0 and window.reset_at < day.user.reset_at
        assert "the user's 24-hour budget is spent (0 of 2 left), it resets at " in str(caught.value)


def test_api_1_1_answers_carry_day_budgets_without_a_window(sandbox, account_of):
    with twfollow.Client(*account_of(2), base_url=sandbox.base_url) as client:
        client.follow("twitterdev")
        assert client.last_rate_limit is None
        day = client.last_day_budgets
        assert day is not None and day.user is not None and day.user.limit == 100000
        assert client.last_request_count == 1


@pytest.mark.parametrize(
    "api_version,target,expected",
    [(1, "twitterdev", 1), (1, 783214, 1), (2, 783214, 1), (2, "@Twitter", 2)],
)
def test_request_counts(sandbox, account_of, api_version, target, expected):
    with twfollow.Client(*account_of(3), base_url=sandbox.base_url, api_version=api_version) as client:
        before = sandbox.requests_seen()
        client.follow(target)
        assert client.last_request_count == sandbox.requests_seen() - before == expected
        with pytest.raises(twfollow.InvalidArgumentError):
            client.follow("not a name!")
        assert client.last_request_count == 0


def test_async_client_reports_the_same(sandbox, account_of):
    async def main() -> None:
        async with twfollow.AsyncClient(*account_of(3), base_url=sandbox.base_url, api_version=2) as client:
            await client.follow("@twitterdev")
            assert client.last_request_count == 2
            day = client.last_day_budgets
            assert day is not None and day.app is not None

    asyncio.run(main())
