// The C++ wrapper against the sandbox. Usage: test_client SANDBOX_BASE_URL
#include "twfollow.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

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

// The user's browser, one step: GET a sandbox URL (http://127.0.0.1:PORT/...) without
// following redirects. Returns the status, sets location (if any) and body.
static int http_get(const std::string &url, std::string &location, std::string &body) {
    const std::string prefix = "http://127.0.0.1:";
    location.clear();
    body.clear();
    if (url.compare(0, prefix.size(), prefix) != 0) {
        return 0;
    }
    std::string::size_type slash = url.find('/', prefix.size());
    int port = std::atoi(url.substr(prefix.size(), slash - prefix.size()).c_str());
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address = sockaddr_in();
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return 0;
    }
    std::string request = "GET " + url.substr(slash) + " HTTP/1.1\r\nHost: " + url.substr(7, slash - 7) +
                          "\r\nConnection: close\r\n\r\n";
    if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
        close(fd);
        return 0;
    }
    std::string response;
    std::vector<char> buffer(4096);
    ssize_t n;
    while ((n = read(fd, buffer.data(), buffer.size())) > 0) {
        response.append(buffer.data(), static_cast<size_t>(n));
    }
    close(fd);
    std::string::size_type end = response.find("\r\n\r\n");
    if (response.compare(0, 9, "HTTP/1.1 ") != 0 || end == std::string::npos) {
        return 0;
    }
    std::string head = response.substr(0, end);
    body = response.substr(end + 4);
    std::string::size_type at = head.find("\r\nlocation: ");
    if (at == std::string::npos) {
        at = head.find("\r\nLocation: ");
    }
    if (at != std::string::npos) {
        at += 12;
        location = head.substr(at, head.find("\r\n", at) - at);
    }
    return std::atoi(head.c_str() + 9);
}

static std::string pin_on(const std::string &page) {
    const std::string marker = "<code id=\"oauth_pin\">";
    std::string::size_type at = page.find(marker);
    if (at == std::string::npos) {
        return std::string();
    }
    at += marker.size();
    return page.substr(at, page.find('<', at) - at);
}

static std::string query_value(const std::string &url, const std::string &name) {
    std::string::size_type at = url.find("?" + name + "=");
    if (at == std::string::npos) {
        at = url.find("&" + name + "=");
    }
    if (at == std::string::npos) {
        return std::string();
    }
    at += name.size() + 2;
    return url.substr(at, url.find('&', at) - at);
}

// Getting tokens: the OAuth 1.0a PIN and callback flows, OAuth 2.0 with PKCE, the
// token callback, refresh and revoke.
static void test_token_flows(const std::string &base_url) {
    std::string location, page;

    // OAuth 1.0a, PIN: the page shows the PIN; the token then follows.
    twfollow::OAuth1Flow pin_flow("sandbox-consumer-key", "sandbox-consumer-secret");
    pin_flow.set_base_url(base_url);
    std::string url = pin_flow.authorization_url();
    CHECK(url == base_url + "/oauth/authorize?oauth_token=" + pin_flow.request_token());
    CHECK(!pin_flow.request_token_secret().empty());
    CHECK(http_get(url, location, page) == 200);
    twfollow::OAuth1Token access = pin_flow.fetch_access_token(pin_on(page));
    CHECK(access.token == "1500000001-sandboxAccessToken1");
    CHECK(access.secret == "sandbox-token-secret-1");
    CHECK(access.user_id == "1500000001");
    CHECK(access.screen_name == "sandbox_me");
    CHECK(pin_flow.client(access).follow("@twitterdev").find("\"id\":2244994945") != std::string::npos);
    // The same fields from a client made of the four credentials, which does not know its user.
    twfollow::OAuth1Token known = sandbox_client(base_url).oauth1_token();
    CHECK(known.token == access.token && known.secret == access.secret);
    CHECK(known.user_id.empty() && known.screen_name.empty());

    // A wrong PIN is refused with the server's words, and burns the request token.
    twfollow::OAuth1Flow wrong_pin("sandbox-consumer-key", "sandbox-consumer-secret");
    wrong_pin.set_base_url(base_url);
    CHECK(http_get(wrong_pin.authorization_url(), location, page) == 200);
    twfollow::Error refused = expect_error([&] { wrong_pin.fetch_access_token("0000000"); });
    CHECK(refused.status() == TW_STATUS_AUTH && refused.http_status() == 401);
    CHECK(std::string(refused.what()).find("oauth_verifier") != std::string::npos);
    CHECK(expect_error([&] { wrong_pin.fetch_access_token(pin_on(page)); }).status() == TW_STATUS_AUTH);

    // The callback flow, finished by another flow object (a web app's second request).
    twfollow::OAuth1Flow first("sandbox-consumer-key", "sandbox-consumer-secret", "https://app.example/done");
    first.set_base_url(base_url);
    CHECK(http_get(first.authorization_url() + "&account=2", location, page) == 302);
    CHECK(query_value(location, "oauth_token") == first.request_token());
    twfollow::OAuth1Flow second("sandbox-consumer-key", "sandbox-consumer-secret", "https://app.example/done");
    second.set_base_url(base_url).resume(first.request_token(), first.request_token_secret());
    CHECK(second.fetch_access_token(query_value(location, "oauth_verifier")).screen_name == "sandbox_2");

    // OAuth 2.0 with PKCE, confidential client.
    twfollow::OAuth2Flow flow("sandbox-oauth2-client", "http://127.0.0.1:9/callback", "sandbox-oauth2-client-secret");
    flow.set_base_url(base_url);
    url = flow.authorization_url();
    CHECK(url.find(base_url + "/i/oauth2/authorize?") == 0);
    CHECK(query_value(url, "code_challenge_method") == "S256");
    CHECK(query_value(url, "state") == flow.state() && flow.state().size() >= 22);
    CHECK(flow.code_verifier().size() >= 43 && flow.code_verifier().size() <= 128);
    CHECK(http_get(url, location, page) == 302);
    // A state that is not ours: refused before anything is sent, so the code still works.
    std::string forged = location;
    forged.replace(forged.find(flow.state()), flow.state().size(), "forged");
    CHECK(expect_error([&] { flow.fetch_token(forged); }).status() == TW_STATUS_INVALID_ARGUMENT);
    // A bare code where the URL belongs: refused before sending (it would skip the state check).
    std::string bare = query_value(location, "code");
    CHECK(!bare.empty());
    CHECK(expect_error([&] { flow.fetch_token(bare); }).status() == TW_STATUS_INVALID_ARGUMENT);
    {
        // ... and taken when given explicitly.
        twfollow::OAuth2Flow pasted("sandbox-oauth2-public-client", "http://127.0.0.1:9/callback");
        pasted.set_base_url(base_url);
        std::string pasted_location, pasted_page;
        CHECK(http_get(pasted.authorization_url(), pasted_location, pasted_page) == 302);
        CHECK(twfollow::OAuth2Tokens::from_json(pasted.fetch_token_from_code(query_value(pasted_location, "code")))
                  .access_token.size() > 20);
    }
    {
        // A NUL in the code is named first, whatever else a resumed flow holds.
        twfollow::OAuth2Flow resumed("sandbox-oauth2-public-client", "http://127.0.0.1:9/callback");
        resumed.resume(std::string("s\0t", 3), std::string(43, 'v'));
        twfollow::Error nul = expect_error([&] { resumed.fetch_token_from_code(std::string("c\0d", 3)); });
        CHECK(nul.status() == TW_STATUS_INVALID_ARGUMENT);
        CHECK(std::string(nul.what()).find("code contains a NUL byte") != std::string::npos);
    }
    twfollow::OAuth2Tokens fetched = twfollow::OAuth2Tokens::from_json(flow.fetch_token(location));
    CHECK(fetched.access_token.size() > 20 && fetched.refresh_token.size() > 20);
    CHECK(fetched.expires_at > 1700000000);
    CHECK(fetched.scope == "tweet.read users.read follows.write offline.access");

    std::vector<std::string> received;
    twfollow::Client bearer = flow.client([&](const std::string &json) { received.push_back(json); });
    CHECK(bearer.follow("@twitterdev") == "{\"data\":{\"following\":true,\"pending_follow\":false}}");
    CHECK(received.empty());
    // Moving the client keeps its callback.
    twfollow::Client moved_bearer = std::move(bearer);
    moved_bearer.refresh();
    CHECK(received.size() == 1);
    twfollow::OAuth2Tokens rotated = twfollow::OAuth2Tokens::from_json(received.back());
    CHECK(rotated.refresh_token != fetched.refresh_token && !rotated.refresh_token.empty());
    CHECK(moved_bearer.tokens() == received.back());
    CHECK(expect_error([&] { moved_bearer.oauth1_token(); }).status() == TW_STATUS_INVALID_ARGUMENT);
    twfollow::OAuth2Tokens held = moved_bearer.oauth2_tokens();
    CHECK(held.access_token == rotated.access_token && held.refresh_token == rotated.refresh_token &&
          held.expires_at == rotated.expires_at && held.scope == rotated.scope && !held.scope.empty());
    CHECK(!moved_bearer.token_callback_error());

    // The old refresh token is dead; a failed refresh keeps the old tokens.
    twfollow::Client stale = twfollow::Client::oauth2("sandbox-oauth2-client", fetched.access_token,
                                                      fetched.refresh_token, fetched.expires_at,
                                                      "sandbox-oauth2-client-secret");
    stale.set_base_url(base_url);
    twfollow::Error dead = expect_error([&] { stale.refresh(); });
    CHECK(dead.status() == TW_STATUS_AUTH);
    CHECK(std::string(dead.what()).find(fetched.refresh_token) == std::string::npos);
    CHECK(twfollow::OAuth2Tokens::from_json(stale.tokens()).refresh_token == fetched.refresh_token);

    // A callback that throws: the refresh succeeds, the exception is kept.
    moved_bearer.set_token_callback([](const std::string &) { throw std::runtime_error("disk full"); });
    moved_bearer.refresh();
    std::exception_ptr kept = moved_bearer.token_callback_error();
    CHECK(kept != nullptr);
    try {
        std::rethrow_exception(kept);
    } catch (const std::runtime_error &e) {
        CHECK(std::string(e.what()) == "disk full");
    } catch (...) {
        CHECK(false);
    }

    // A callback that calls back into its own Client: refused at once with
    // TW_STATUS_REENTERED (it used to wait forever for the refresh lock), kept.
    moved_bearer.set_token_callback([&](const std::string &) { moved_bearer.refresh(); });
    moved_bearer.refresh();
    try {
        std::rethrow_exception(moved_bearer.token_callback_error());
    } catch (const twfollow::Error &e) {
        CHECK(e.status() == TW_STATUS_REENTERED);
        CHECK(std::string(e.what()) == "called from inside this config's token callback");
    } catch (...) {
        CHECK(false);
    }
    moved_bearer.set_token_callback(nullptr);

    // The fields of the token JSON, read by the library: the flow's, and inside a
    // callback (OAuth2Tokens::from_json touches no Client, so it is not re-entry).
    twfollow::OAuth2Tokens from_flow = flow.tokens();
    CHECK(from_flow.access_token == fetched.access_token && from_flow.refresh_token == fetched.refresh_token &&
          from_flow.expires_at == fetched.expires_at && from_flow.scope == fetched.scope);
    std::vector<twfollow::OAuth2Tokens> parsed_inside;
    moved_bearer.set_token_callback(
        [&](const std::string &json) { parsed_inside.push_back(twfollow::OAuth2Tokens::from_json(json)); });
    moved_bearer.refresh();
    CHECK(!moved_bearer.token_callback_error() && parsed_inside.size() == 1);
    twfollow::OAuth2Tokens now = moved_bearer.oauth2_tokens();
    CHECK(parsed_inside.size() == 1 && parsed_inside[0].access_token == now.access_token &&
          parsed_inside[0].refresh_token == now.refresh_token && parsed_inside[0].expires_at == now.expires_at &&
          parsed_inside[0].scope == now.scope && !now.refresh_token.empty());
    moved_bearer.set_token_callback(nullptr);
    twfollow::OAuth2Tokens bare_tokens = twfollow::OAuth2Tokens::from_json("{\"access_token\":\"A-1\"}");
    CHECK(bare_tokens.access_token == "A-1" && bare_tokens.refresh_token.empty() && bare_tokens.expires_at == 0 &&
          bare_tokens.scope.empty());
    twfollow::Error not_tokens =
        expect_error([] { twfollow::OAuth2Tokens::from_json("{\"refresh_token\":\"Rt-secret-77\"}"); });
    CHECK(not_tokens.status() == TW_STATUS_INVALID_ARGUMENT);
    CHECK(std::string(not_tokens.what()) == "the tokens JSON has no access_token");
    CHECK(expect_error([] { twfollow::OAuth2Tokens::from_json(std::string("{\"access_token\":\"a\0b\"}", 22)); })
              .status() == TW_STATUS_INVALID_ARGUMENT);
    twfollow::Error bad_type = expect_error(
        [] { twfollow::OAuth2Tokens::from_json("{\"access_token\":\"At-secret-78\",\"expires_at\":\"soon\"}"); });
    CHECK(bad_type.status() == TW_STATUS_INVALID_ARGUMENT &&
          std::string(bad_type.what()).find("At-secret-78") == std::string::npos);
    CHECK(expect_error([] { twfollow::OAuth2Flow("sandbox-oauth2-public-client", "http://127.0.0.1:9/cb").tokens(); })
              .status() == TW_STATUS_INVALID_ARGUMENT);

    // Revoking the refresh token ends the grant.
    moved_bearer.revoke(twfollow::OAuth2Tokens::from_json(moved_bearer.tokens()).refresh_token);
    CHECK(expect_error([&] { moved_bearer.follow("Twitter"); }).status() == TW_STATUS_AUTH);

    // The user said no; bad arguments.
    twfollow::OAuth2Flow denied("sandbox-oauth2-public-client", "http://127.0.0.1:9/callback");
    denied.set_base_url(base_url);
    CHECK(http_get(denied.authorization_url() + "&deny=1", location, page) == 302);
    CHECK(expect_error([&] { denied.fetch_token(location); }).status() == TW_STATUS_AUTH);
    CHECK(expect_error([&] { denied.client(); }).status() == TW_STATUS_INVALID_ARGUMENT);
    CHECK(expect_error([] { twfollow::Client::oauth2("sandbox-oauth2-public-client", ""); }).status() ==
          TW_STATUS_INVALID_ARGUMENT);
    CHECK(expect_error([] { twfollow::OAuth1Flow("", "secret"); }).status() == TW_STATUS_INVALID_ARGUMENT);
}

// The wire trace: every line reaches the callback, in order; a throwing callback
// does not fail the call; removing it stops it; it moves with the Client.
static void test_trace(const std::string &base_url) {
    std::vector<std::pair<int32_t, std::string> > lines;
    twfollow::Client client = sandbox_client(base_url);
    client.set_trace([&lines](int32_t kind, const std::string &line) { lines.push_back(std::make_pair(kind, line)); });
    twfollow::Client moved = std::move(client);
    moved.follow("twitterdev");
    CHECK(!lines.empty() && lines.front().first == TW_TRACE_KIND_BASE_STRING);
    CHECK(!lines.empty() && lines.front().second.find("POST&http%3A%2F%2F127.0.0.1%3A") == 0);
    bool request_line = false, status_line = false;
    for (size_t i = 0; i < lines.size(); ++i) {
        request_line = request_line || (lines[i].first == TW_TRACE_KIND_REQUEST_LINE &&
                                         lines[i].second == "POST /1.1/friendships/create.json HTTP/1.1");
        status_line = status_line || (lines[i].first == TW_TRACE_KIND_RESPONSE_STATUS && lines[i].second == "HTTP/1.1 200 OK");
    }
    CHECK(request_line && status_line);
    const std::pair<int32_t, std::string> prefixes[] = {
        {TW_TRACE_KIND_REQUEST_LINE, "> "},    {TW_TRACE_KIND_REQUEST_HEADER, "> "},
        {TW_TRACE_KIND_BASE_STRING, "* "},     {TW_TRACE_KIND_RESPONSE_STATUS, "< "},
        {TW_TRACE_KIND_RESPONSE_HEADER, "< "}, {TW_TRACE_KIND_RESPONSE_BODY, "< "},
        {TW_TRACE_KIND_INFO, "* "},            {99, "* "},
        {-1, "* "}};
    for (const auto &kind : prefixes) {
        CHECK(twfollow::trace_prefix(kind.first) == kind.second);
    }

    moved.set_trace([](int32_t, const std::string &) { throw std::runtime_error("a broken trace callback"); });
    CHECK(moved.follow("twitterdev").find("\"id_str\":\"2244994945\"") != std::string::npos);
    lines.clear();
    moved.set_trace(twfollow::TraceCallback());
    moved.follow("twitterdev");
    CHECK(lines.empty());
}

static bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

// Unfollow and relationship, refusals of the app or the account (the sandbox's built-in
// restricted apps and accounts), and API version auto.
static void test_refusals_and_relationships(const std::string &base_url) {
    twfollow::Client client = sandbox_client(base_url);
    client.follow("muted_mia");
    const std::string relationship = client.relationship("muted_mia");
    CHECK(contains(relationship, "\"target\":{\"id\":\"1000000004\",\"username\":\"muted_mia\"}"));
    CHECK(contains(relationship, "\"following\":true") && contains(relationship, "\"muting\":true"));
    // The same, with the flags read by the library; API 1.1 says nothing of requests to
    // a public account: unknown, not false.
    twfollow::Relationship flags = client.relationship_ex("muted_mia");
    CHECK(flags.json == relationship);
    CHECK(flags.following() == twfollow::Flag::yes && flags.muting() == twfollow::Flag::yes);
    CHECK(flags.followed_by() == twfollow::Flag::no && flags.blocking() == twfollow::Flag::no &&
          flags.blocked_by() == twfollow::Flag::no);
    CHECK(flags.follow_request_sent() == twfollow::Flag::unknown &&
          flags.follow_request_received() == twfollow::Flag::unknown);
    CHECK(twfollow::last_request_count() == 1);
    CHECK(expect_error([&] { client.relationship_ex("nobody_here"); }).status() == TW_STATUS_NOT_FOUND);
    CHECK(client.unfollow("@muted_mia") ==
          "{\"target\":{\"id\":\"1000000004\",\"username\":\"muted_mia\"},\"following\":false}");
    CHECK(contains(client.relationship("1000000004"), "\"following\":false"));
    twfollow::Error missing = expect_error([&] { client.relationship("nobody_here"); });
    CHECK(missing.status() == TW_STATUS_NOT_FOUND && !missing.refusal_of_setup());
    CHECK(expect_error([&] { client.unfollow(std::string("a\0b", 3)); }).status() == TW_STATUS_INVALID_ARGUMENT);

    // Who the credentials act as: one request (API 1.1 here), then the same answer again.
    twfollow::User me = client.me();
    CHECK(me.id == "1500000001" && me.username == "sandbox_me");
    CHECK(twfollow::last_request_count() == 1);

    twfollow::Client read_only("sandbox-readonly-key", "sandbox-readonly-secret", "1500000001-sandboxAccessToken1",
                               "sandbox-token-secret-1");
    read_only.set_base_url(base_url);
    twfollow::Error permission = expect_error([&] { read_only.follow("Twitter"); });
    CHECK(permission.status() == TW_STATUS_APP_PERMISSION && permission.refusal_of_setup());
    CHECK(permission.http_status() == 403 && permission.api_code() == 261);
    CHECK(contains(permission.what(), " To fix: set the app's permissions to Read and Write"));

    twfollow::Client locked("sandbox-consumer-key", "sandbox-consumer-secret", "1500000326-sandboxLockedToken",
                            "sandbox-token-secret-locked");
    locked.set_base_url(base_url).set_api_version(2);
    twfollow::Error account = expect_error([&] { locked.unfollow("783214"); });
    CHECK(account.status() == TW_STATUS_ACCOUNT_STATE && account.api_code() == 326 && account.refusal_of_setup());

    twfollow::Client no_v1("sandbox-no-v1-key", "sandbox-no-v1-secret", "1500000001-sandboxAccessToken1",
                           "sandbox-token-secret-1");
    no_v1.set_base_url(base_url);
    twfollow::Error tier = expect_error([&] { no_v1.relationship("Twitter"); });
    CHECK(tier.status() == TW_STATUS_ACCESS_TIER && tier.api_code() == 453 && tier.refusal_of_setup());
    no_v1.set_api_version(0);  // auto: API v2 once 1.1 refuses the access tier
    CHECK(no_v1.follow("Twitter") == "{\"data\":{\"following\":true,\"pending_follow\":false}}");
    CHECK(contains(no_v1.relationship("Twitter"), "\"following\":true,\"follow_request_sent\":false"));
    // API v2 says each flag but blocked_by.
    twfollow::Relationship v2_flags = no_v1.relationship_ex("Twitter");
    CHECK(v2_flags.following() == twfollow::Flag::yes && v2_flags.followed_by() == twfollow::Flag::yes);
    CHECK(v2_flags.follow_request_sent() == twfollow::Flag::no && v2_flags.blocked_by() == twfollow::Flag::unknown);
    CHECK(v2_flags.known == (0x7fu & ~static_cast<uint32_t>(TW_RELATIONSHIP_FLAG_BLOCKED_BY)));
}

// The token store: save after authorizing, list without secrets, follow from it,
// access_token, default, remove. In a store of its own (mkdtemp), never ~/.config.
static void test_store(const std::string &base_url) {
    char folder[] = "/tmp/twfollow-cpp-store-XXXXXX";
    CHECK(mkdtemp(folder) != nullptr);
    const std::string path = std::string(folder) + "/accounts.json";
    twfollow::Store store(path);
    CHECK(store.path() == path);
    CHECK(store.list_json().find("\"accounts\":[]") != std::string::npos);
    CHECK(store.accounts().empty());

    twfollow::OAuth2Flow flow("sandbox-oauth2-client", "http://127.0.0.1:9/callback", "sandbox-oauth2-client-secret");
    flow.set_base_url(base_url);
    std::string location, page;
    CHECK(http_get(flow.authorization_url(), location, page) == 302);
    twfollow::OAuth2Tokens fetched = twfollow::OAuth2Tokens::from_json(flow.fetch_token(location));
    CHECK(store.save(flow) == "sandbox_me");
    // One grant, one account: a second name for it is refused (its first refresh would kill the other's copy).
    CHECK(expect_error([&] { store.save(flow, "work"); }).status() == TW_STATUS_STORE);
    twfollow::OAuth2Flow second("sandbox-oauth2-client", "http://127.0.0.1:9/callback", "sandbox-oauth2-client-secret");
    second.set_base_url(base_url);
    CHECK(http_get(second.authorization_url(), location, page) == 302);
    second.fetch_token(location);
    CHECK(store.save(second, "work") == "work");
    std::vector<twfollow::Account> accounts = store.accounts();
    CHECK(accounts.size() == 2);
    CHECK(accounts.size() == 2 && accounts[0].name == "sandbox_me" && accounts[1].name == "work");
    CHECK(accounts.size() == 2 && accounts[0].kind == "oauth2" && accounts[0].user_id == "1500000001");
    CHECK(accounts.size() == 2 && accounts[0].screen_name == "sandbox_me" && accounts[0].app == "sandbox-oauth2-client");
    CHECK(accounts.size() == 2 && accounts[0].expires_at == fetched.expires_at && accounts[0].has_refresh_token);
    CHECK(accounts.size() == 2 && accounts[0].is_default && !accounts[1].is_default);
    const std::string listing = store.list_json();
    CHECK(listing.find("\"name\":\"sandbox_me\"") != std::string::npos);
    CHECK(listing.find("\"default\":\"sandbox_me\"") != std::string::npos);
    CHECK(listing.find(fetched.access_token) == std::string::npos);
    CHECK(listing.find(fetched.refresh_token) == std::string::npos);
    CHECK(listing.find("sandbox-oauth2-client-secret") == std::string::npos);

    twfollow::Client client = twfollow::Client::from_store("", path);
    client.set_base_url(base_url);
    CHECK(client.follow("2244994945") == "{\"data\":{\"following\":true,\"pending_follow\":false}}");
    CHECK(client.access_token() == fetched.access_token);
    CHECK(expect_error([&] { sandbox_client(base_url).access_token(); }).status() == TW_STATUS_INVALID_ARGUMENT);

    store.set_default("work");
    CHECK(store.list_json().find("\"default\":\"work\"") != std::string::npos);
    CHECK(store.accounts().size() == 2 && store.accounts()[1].is_default);
    store.remove("work");
    CHECK(store.accounts().size() == 1);
    CHECK(store.list_json().find("\"name\":\"work\"") == std::string::npos);
    CHECK(expect_error([&] { twfollow::Client::from_store("work", path); }).status() == TW_STATUS_STORE);
    CHECK(expect_error([&] { store.set_default("nobody"); }).status() == TW_STATUS_STORE);
    CHECK(expect_error([&] { twfollow::Store(std::string("a\0b", 3)); }).status() == TW_STATUS_INVALID_ARGUMENT);

    // Importing twurl's file: the names, in the file's order; an OAuth 1.0a account lists no expiry.
    const std::string twurlrc = std::string(folder) + "/twurlrc";
    FILE *file = std::fopen(twurlrc.c_str(), "w");
    CHECK(file != nullptr);
    if (file != nullptr) {
        std::fputs("---\nprofiles:\n"
                   "  sandbox_2:\n    sandbox-consumer-key:\n      username: sandbox_2\n"
                   "      consumer_key: sandbox-consumer-key\n      consumer_secret: sandbox-consumer-secret\n"
                   "      token: 1500000002-sandboxAccessToken2\n      secret: sandbox-token-secret-2\n"
                   "  other:\n    sandbox-consumer-key:\n      username: other\n"
                   "      consumer_key: sandbox-consumer-key\n      consumer_secret: sandbox-consumer-secret\n"
                   "      token: 1500000003-sandboxAccessToken3\n      secret: sandbox-token-secret-3\n",
                   file);
        std::fclose(file);
    }
    const std::vector<std::string> imported = store.import_names("twurl", twurlrc);
    CHECK(imported.size() == 2 && imported[0] == "sandbox_2" && imported[1] == "other");
    accounts = store.accounts();
    CHECK(accounts.size() == 3 && accounts[1].name == "sandbox_2" && accounts[1].kind == "oauth1");
    CHECK(accounts.size() == 3 && accounts[1].user_id == "1500000002" && accounts[1].expires_at == 0);
    // The store had no default any more (work was it): the first imported one is it now.
    CHECK(accounts.size() == 3 && !accounts[1].has_refresh_token && accounts[1].is_default);
    CHECK(twfollow::Client::from_store("sandbox_2", path).oauth1_token().user_id == "1500000002");
    CHECK(expect_error([&] { store.import_names("netrc", twurlrc); }).status() == TW_STATUS_INVALID_ARGUMENT);
    std::remove(twurlrc.c_str());

    // Item 1 of issue 27: an OAuth 2.0 grant imported from the environment is handed over;
    // imported again after the store refreshed it, the store's newer grant is kept, unless forced.
    twfollow::OAuth2Flow third("sandbox-oauth2-client", "http://127.0.0.1:9/callback", "sandbox-oauth2-client-secret");
    third.set_base_url(base_url);
    CHECK(http_get(third.authorization_url(), location, page) == 302);
    twfollow::OAuth2Tokens exported = twfollow::OAuth2Tokens::from_json(third.fetch_token(location));
    setenv("TW_OAUTH2_CLIENT_ID", "sandbox-oauth2-client", 1);
    setenv("TW_OAUTH2_ACCESS_TOKEN", exported.access_token.c_str(), 1);
    setenv("TW_OAUTH2_REFRESH_TOKEN", exported.refresh_token.c_str(), 1);
    unsetenv("TW_ACCESS_TOKEN");
    twfollow::ImportReport report = store.import_ex("env");
    CHECK(report.imported == std::vector<std::string>{"env"} && report.kept.empty());
    CHECK(report.handed_over == std::vector<std::string>{"env"});
    CHECK(store.import_from("env").find("\"kept\":[\"env\"]") == std::string::npos); // the same grant: imported
    twfollow::Client env_account = twfollow::Client::from_store("env", path);
    env_account.set_base_url(base_url);
    CHECK(twfollow::refreshes_in_flight() == 0);
    env_account.refresh(); // the store's grant is newer than the variables' now
    CHECK(twfollow::refreshes_in_flight() == 0);
    report = store.import_ex("env");
    CHECK(report.imported.empty() && report.kept == std::vector<std::string>{"env"} && report.handed_over.empty());
    report = store.import_ex("env", "", true);
    CHECK(report.imported == std::vector<std::string>{"env"} && report.kept.empty());
    // TW_API_BASE applies to a stored account as to from_env (issue 27, item 11);
    // from_store_credentials does not read it.
    setenv("TW_API_BASE", "http://example.com", 1);
    CHECK(expect_error([&] { twfollow::Client::from_store("sandbox_2", path); }).status() == TW_STATUS_INVALID_ARGUMENT);
    CHECK(twfollow::Client::from_store_credentials("sandbox_2", path).oauth1_token().user_id == "1500000002");
    setenv("TW_API_BASE", base_url.c_str(), 1);
    CHECK(contains(twfollow::Client::from_store("sandbox_2", path).follow("twitterdev"), "\"screen_name\""));
    const char *variables[] = {"TW_OAUTH2_CLIENT_ID", "TW_OAUTH2_ACCESS_TOKEN", "TW_OAUTH2_REFRESH_TOKEN", "TW_API_BASE"};
    for (const char *name : variables) {
        unsetenv(name);
    }

    std::remove(path.c_str());
    std::remove((path + ".lock").c_str());
    rmdir(folder);
}

// Pay-per-use: spent credits and a usage cap are their own statuses, sent once; a v2
// problem's members; the 24-hour budgets and the request count (issue 22).
static void test_pay_per_use(const std::string &base_url) {
    twfollow::Client creditless("sandbox-creditless-key", "sandbox-creditless-secret",
                                "1500000001-sandboxAccessToken1", "sandbox-token-secret-1");
    creditless.set_base_url(base_url).set_max_retries(3).set_max_wait_ms(10000);
    twfollow::Error credits = expect_error([&] { creditless.follow("Twitter"); });
    CHECK(credits.status() == TW_STATUS_PAYMENT_REQUIRED && credits.refusal_of_setup());
    CHECK(credits.http_status() == 402 && credits.title() == "CreditsDepleted");
    CHECK(credits.request_count() == 1 && twfollow::last_request_count() == 1);
    CHECK(contains(credits.what(), "does not have any credits to fulfill this request. To fix: add credits"));

    twfollow::Client capped("sandbox-capped-key", "sandbox-capped-secret", "1500000001-sandboxAccessToken1",
                            "sandbox-token-secret-1");
    capped.set_base_url(base_url).set_api_version(2).set_max_retries(3).set_max_wait_ms(10000);
    twfollow::Error cap = expect_error([&] { capped.follow("@Twitter"); });
    CHECK(cap.status() == TW_STATUS_USAGE_CAPPED && cap.http_status() == 429 && cap.request_count() == 1);
    CHECK(cap.detail() == "Usage cap exceeded: Monthly product cap" && cap.reset_at() == 0);
    CHECK(contains(cap.what(), "resets with the billing period"));

    twfollow::Client unenrolled("sandbox-unenrolled-key", "sandbox-unenrolled-secret",
                                "1500000001-sandboxAccessToken1", "sandbox-token-secret-1");
    unenrolled.set_base_url(base_url).set_api_version(2);
    twfollow::Error tier = expect_error([&] { unenrolled.follow("783214"); });
    CHECK(tier.status() == TW_STATUS_ACCESS_TIER && tier.reason() == "client-not-enrolled");
    CHECK(tier.required_enrollment() == "Appropriate Level of API Access");
    CHECK(!tier.registration_url().empty() && contains(tier.what(), "registration: " + tier.registration_url()));

    twfollow::Client client = sandbox_client(base_url);
    client.set_api_version(2);
    client.follow("@Twitter");
    CHECK(twfollow::last_request_count() == 2);  // the lookup, then the follow
    twfollow::Limits limits = twfollow::last_limits();
    CHECK(limits.window.sent && limits.window.limit == 50);
    CHECK(limits.user_day.sent && limits.user_day.limit == 100000 && limits.user_day.remaining < 100000);
    CHECK(limits.app_day.sent && limits.app_day.reset_epoch > limits.window.reset_epoch);
}

// Client::from_env_credentials: the credential variables alone, so a bad TW_API_BASE or
// TW_API_VERSION (which from_env refuses) is not read; missing ones named as from_env does.
static void test_from_env_credentials(const std::string &base_url) {
    setenv("TW_CONSUMER_KEY", "sandbox-consumer-key", 1);
    setenv("TW_CONSUMER_SECRET", "sandbox-consumer-secret", 1);
    setenv("TW_ACCESS_TOKEN", "1500000001-sandboxAccessToken1", 1);
    setenv("TW_ACCESS_TOKEN_SECRET", "sandbox-token-secret-1", 1);
    unsetenv("TW_OAUTH2_ACCESS_TOKEN");
    setenv("TW_API_BASE", "http://example.com", 1);
    setenv("TW_API_VERSION", "2", 1);
    CHECK(expect_error([] { twfollow::Client::from_env(); }).status() == TW_STATUS_INVALID_ARGUMENT);
    twfollow::Client client = twfollow::Client::from_env_credentials();
    client.set_base_url(base_url);
    CHECK(contains(client.follow("twitterdev"), "\"screen_name\":\"twitterdev\""));  // API 1.1's user object
    unsetenv("TW_ACCESS_TOKEN");
    twfollow::Error alone = expect_error([] { twfollow::Client::from_env_credentials(); });
    twfollow::Error all = expect_error([] { twfollow::Client::from_env(); });
    CHECK(alone.status() == TW_STATUS_INVALID_ARGUMENT);
    CHECK(std::string(alone.what()) == "environment variable TW_ACCESS_TOKEN is not set or empty");
    CHECK(std::string(alone.what()) == all.what());
    const char *names[] = {"TW_CONSUMER_KEY", "TW_CONSUMER_SECRET", "TW_ACCESS_TOKEN_SECRET", "TW_API_BASE",
                           "TW_API_VERSION"};
    for (const char *name : names) {
        unsetenv(name);
    }
}

// Every status the library names: Error's status_text() is tw_status_str's own static text,
// "TW_STATUS_NAME: description", and refusal_of_setup() holds for the refusals of the app or the
// account that every target would meet (the header's list), for no other status.
static void test_status_texts() {
    const TwStatus setup[] = {TW_STATUS_ACCESS_TIER,       TW_STATUS_APP_PERMISSION, TW_STATUS_ACCOUNT_STATE,
                              TW_STATUS_PAYMENT_REQUIRED, TW_STATUS_USAGE_CAPPED,   TW_STATUS_USER_NOT_ENROLLED};
    int named = 0, refusals = 0;
    for (int32_t n = 0; n < 1000; ++n) {
        const char *text = tw_status_str(n);
        if (std::string(text).compare(0, 10, "TW_STATUS_") != 0) {
            continue;
        }
        ++named;
        const twfollow::Error error(static_cast<TwStatus>(n), "message", 0, 0);
        CHECK(error.status_text() == text);
        CHECK(std::string(error.status_text()).find(": ") != std::string::npos);
        bool is_setup = false;
        for (TwStatus status : setup) {
            is_setup = is_setup || status == n;
        }
        CHECK(error.refusal_of_setup() == is_setup);
        refusals += error.refusal_of_setup() ? 1 : 0;
    }
    CHECK(named >= 27 && refusals == 6);
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
    test_status_texts();

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

    test_token_flows(base_url);
    test_refusals_and_relationships(base_url);
    test_pay_per_use(base_url);
    test_trace(base_url);
    test_store(base_url);
    test_from_env_credentials(base_url);

    CHECK(twfollow::version().find("twfollow/") == 0);
    std::printf("c++: %d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
