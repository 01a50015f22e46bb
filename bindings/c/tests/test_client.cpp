// The C++ wrapper against the sandbox. Usage: test_client SANDBOX_BASE_URL
#include "twfollow.hpp"

#include <cstdio>
#include <string>
#include <utility>

static int failures = 0, checks = 0;
#define CHECK(cond)                                                                    \
    do {                                                                               \
        ++checks;                                                                      \
        if (!(cond)) {                                                                 \
            ++failures;                                                                \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                              \
    } while (0)

static twfollow::Client sandbox_client(const std::string &base_url) {
    twfollow::Client client("sandbox-consumer-key", "sandbox-consumer-secret",
                            "1500000001-sandboxAccessToken1", "sandbox-token-secret-1");
    client.set_base_url(base_url).set_timeout_ms(10000).set_user_agent("cpp-test/1");
    return client;
}

template <typename F> static twfollow::Error expect_error(F f) {
    try {
        f();
    } catch (const twfollow::Error &e) {
        return e;
    }
    ++failures;
    std::fprintf(stderr, "expected twfollow::Error\n");
    return twfollow::Error(TW_STATUS_OK, "", 0, 0);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SANDBOX_BASE_URL\n", argv[0]);
        return 64;
    }
    const std::string base_url = argv[1];
    twfollow::Client client = sandbox_client(base_url);

    std::string json = client.follow("@twitterdev");
    CHECK(json.find("\"id_str\":\"2244994945\"") != std::string::npos);
    CHECK(client.follow("2244994945", true).find("\"notifications\":true") != std::string::npos);

    twfollow::Error blocked = expect_error([&] { client.follow("blocker_bob"); });
    CHECK(blocked.status() == TW_STATUS_BLOCKED);
    CHECK(blocked.http_status() == 403);
    CHECK(blocked.api_code() == 162);
    CHECK(std::string(blocked.what()).find("HTTP 403, error 162: ") == 0);
    CHECK(std::string(blocked.status_text()).find("TW_STATUS_BLOCKED") == 0);

    CHECK(expect_error([&] { client.follow("bad name"); }).status() == TW_STATUS_INVALID_ARGUMENT);
    CHECK(expect_error([&] { client.follow(std::string("twitter\0dev", 11)); }).status() ==
          TW_STATUS_INVALID_ARGUMENT);
    CHECK(expect_error([&] { client.set_base_url("http://example.com"); }).status() == TW_STATUS_INVALID_ARGUMENT);
    CHECK(expect_error([] { twfollow::Client("", "b", "c", "d"); }).status() == TW_STATUS_INVALID_ARGUMENT);

    // Moving keeps one owner: the moved-from client is empty and its destructor frees nothing.
    twfollow::Client moved = std::move(client);
    CHECK(client.handle() == nullptr);
    CHECK(moved.follow("Twitter").find("\"screen_name\":\"Twitter\"") != std::string::npos);
    CHECK(expect_error([&] { client.follow("Twitter"); }).status() == TW_STATUS_NULL_ARGUMENT);

    // The outcome without parsing JSON; retries can be turned on.
    twfollow::Client fresh = sandbox_client(base_url);
    fresh.set_max_retries(2).set_max_wait_ms(1000);
    CHECK(!fresh.follow_ex("twitterdev").pending);
    // The first follow of this protected account is pending; when this program runs
    // again against the same sandbox (the install test does), it is already requested.
    try {
        twfollow::FollowResult protected_account = fresh.follow_ex("locked_lucy");
        CHECK(protected_account.pending);
        CHECK(protected_account.json.find("\"screen_name\":\"locked_lucy\"") != std::string::npos);
    } catch (const twfollow::Error &e) {
        CHECK(e.status() == TW_STATUS_ALREADY_REQUESTED);
    }
    CHECK(expect_error([&] { fresh.set_max_retries(11); }).status() == TW_STATUS_INVALID_ARGUMENT);

    // API v2: the JSON answer; a protected account stays pending; no notifications.
    twfollow::Client v2 = sandbox_client(base_url);
    v2.set_api_version(2);
    CHECK(v2.follow("@Twitter") == "{\"data\":{\"following\":true,\"pending_follow\":false}}");
    CHECK(v2.follow_ex("locked_lucy").pending);
    CHECK(v2.follow_ex("locked_lucy").pending);
    CHECK(expect_error([&] { v2.follow("blocker_bob"); }).status() == TW_STATUS_BLOCKED);
    CHECK(expect_error([&] { v2.follow("Twitter", true); }).status() == TW_STATUS_INVALID_ARGUMENT);
    CHECK(expect_error([&] { v2.set_api_version(3); }).status() == TW_STATUS_INVALID_ARGUMENT);

    CHECK(twfollow::version().find("twfollow/") == 0);
    std::printf("c++: %d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
