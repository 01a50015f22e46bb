"""Independent check of the signer: oauthlib, the reference Python implementation
of RFC 5849, verifies requests that the library sends, so the library's signer
and the sandbox's verifier cannot share a mistake unnoticed."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from oauthlib.oauth1 import AccessTokenEndpoint, RequestTokenEndpoint, RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849 import signature

import twfollow
from twfollow.trace import TraceKind

# Credentials chosen to exercise percent-encoding: spaces, reserved and non-ASCII characters.
PLAIN = ("consumer-key-plain", "consumer-secret-plain", "1234-token-plain", "token-secret-plain")
AWKWARD = ("ck with spaces & =+%", "cs/ü€ 日本 &amp;", "42-tök€n~._-", "ts \"quoted\" 100% +&=")


class Validator(RequestValidator):
    """Accepts one set of credentials; checks nonces for length, alphabet and replay."""

    enforce_ssl = False

    def __init__(self, credentials):
        super().__init__()
        self.key, self.secret, self.token, self.token_secret = credentials
        self.seen = set()

    # oauthlib's default format checks (20-30 safe characters) do not fit Twitter's keys.
    def check_client_key(self, key):
        return True

    def check_access_token(self, token):
        return True

    def check_nonce(self, nonce):
        return len(nonce) == 32 and nonce.isascii() and nonce.isalnum()

    @property
    def dummy_client(self):
        return "dummy-client"

    @property
    def dummy_access_token(self):
        return "dummy-token"

    def validate_client_key(self, client_key, request):
        return client_key == self.key

    def validate_access_token(self, client_key, token, request):
        return token == self.token

    def get_client_secret(self, client_key, request):
        return self.secret if client_key == self.key else "dummy"

    def get_access_token_secret(self, client_key, token, request):
        return self.token_secret if token == self.token else "dummy"

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request, request_token=None, access_token=None):
        key = (client_key, timestamp, nonce)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


# The OAuth 1.0a three-legged flow: the request token this server issues (its secret
# awkward on purpose: the access-token request is signed with it), the verifier it
# expects, and the access token it then grants.
REQUEST_TOKEN = ("request-token-0123456789", "rts/ü€ &amp;=+% \"q\"")
VERIFIER = "7654321"
GRANTED = ("42-granted-token", "granted-secret", "42", "verified")


class ThreeLeggedValidator(Validator):
    """Validator for `oauth/request_token` (consumer-only signature, a callback) and
    `oauth/access_token` (the request token and verifier, signed with its secret)."""

    def __init__(self, credentials, request_token=REQUEST_TOKEN):
        super().__init__(credentials)
        self.request_token, self.request_token_secret = request_token

    def check_request_token(self, request_token):
        return True

    def check_verifier(self, verifier):
        return True

    @property
    def dummy_request_token(self):
        return "dummy-request-token"

    def get_default_realms(self, client_key, request):
        return []

    def validate_requested_realms(self, client_key, realms, request):
        return True

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        return redirect_uri == "oob" or redirect_uri.startswith(("http://", "https://"))

    def validate_request_token(self, client_key, token, request):
        return token == self.request_token

    def get_request_token_secret(self, client_key, token, request):
        return self.request_token_secret if token == self.request_token else "dummy"

    def validate_verifier(self, client_key, token, verifier, request):
        return verifier == VERIFIER


# The signature base strings oauthlib computed while verifying the current handler
# thread's request (see `recording_base_strings`).
_computed = threading.local()


def recording_base_strings(compute):
    """oauthlib's own `signature_base_string`, also noting each string it returns."""

    def record(*args, **kwargs):
        base_string = compute(*args, **kwargs)
        getattr(_computed, "base_strings", []).append(base_string)
        return base_string

    return record


class OAuthlibServer:
    """A loopback HTTP server whose only job is oauthlib verification. `base_strings`
    holds, for each request whose signature oauthlib checked, the base string it
    computed for it. With `fail_first` N, the first N verified requests are answered
    503 (code 130), as an overloaded API would."""

    def __init__(self, credentials, fail_first=0):
        self.endpoint = SignatureOnlyEndpoint(Validator(credentials))
        validator = ThreeLeggedValidator(credentials)
        self.request_token_endpoint = RequestTokenEndpoint(validator)
        self.access_token_endpoint = AccessTokenEndpoint(validator)
        self.verdicts = []
        self.base_strings = []
        self.fail_first = fail_first
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):
                self.verify("POST")

            def do_GET(self):
                self.verify("GET")

            def do_DELETE(self):
                self.verify("DELETE")

            def verify(self, method):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode("utf-8")
                uri = f"http://{self.headers['Host']}{self.path}"
                _computed.base_strings = []
                try:
                    if self.path.endswith(("/oauth/request_token", "/oauth/access_token")):
                        return self.token_step(uri, method, body)
                    # oauthlib signs a body only when it is form-encoded, as RFC 5849 says.
                    valid, _ = outer.endpoint.validate_request(uri, method, body, dict(self.headers))
                finally:
                    outer.base_strings += _computed.base_strings
                outer.verdicts.append({"valid": valid, "method": method, "path": self.path, "body": body})
                v2 = "/2/users/" in self.path
                if outer.fail_first > 0:
                    outer.fail_first -= 1
                    status, answer = 503, {"errors": [{"code": 130, "message": "Over capacity"}]}
                elif not valid:
                    status = 401
                    answer = (
                        {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
                        if v2
                        else {"errors": [{"code": 32, "message": "Could not authenticate you."}]}
                    )
                elif "/friendships/show.json" in self.path:
                    source = {"following": True, "followed_by": False, "following_requested": None}
                    target = {"id_str": "2244994945", "screen_name": "verified"}
                    status, answer = 200, {"relationship": {"source": source, "target": target}}
                elif v2 and method == "DELETE":
                    status, answer = 200, {"data": {"following": False}}
                elif v2 and method == "GET" and "/by/username/" not in self.path:
                    data = {"id": "18", "name": "V", "username": "by_id", "connection_status": ["following"]}
                    status, answer = 200, {"data": data}
                elif "/by/username/" in self.path:
                    status, answer = 200, {"data": {"id": "2244994945", "name": "V", "username": "verified"}}
                elif v2:
                    status, answer = 200, {"data": {"following": True, "pending_follow": False}}
                else:
                    status, answer = 200, {"id": 1, "screen_name": "verified"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def token_step(self, uri, method, body):
                """The request-token or access-token step: oauthlib checks it, and the
                answer is Twitter's form-encoded one."""
                request_step = self.path.endswith("/oauth/request_token")
                if request_step:
                    check = outer.request_token_endpoint.validate_request_token_request
                else:
                    check = outer.access_token_endpoint.validate_access_token_request
                # The validate_* methods keep the parsed request (callback, token, verifier)
                # for the verdict; _create_request is how oauthlib (pinned) builds it.
                request = outer.request_token_endpoint._create_request(uri, method, body, dict(self.headers))
                valid, request = check(request)
                # Kept before the answer leaves (the caller's `finally` would be after it:
                # a fast client could compare before the server had noted its base string).
                outer.base_strings += _computed.base_strings
                _computed.base_strings = []
                outer.verdicts.append(
                    {
                        "valid": valid,
                        "path": self.path,
                        "callback": request.redirect_uri,
                        "token": request.resource_owner_key,
                        "verifier": request.verifier,
                    }
                )
                if not valid:
                    status, data = 401, json.dumps({"errors": [{"code": 32, "message": "Could not authenticate you."}]})
                elif request_step:
                    token, secret = REQUEST_TOKEN
                    status, data = 200, urllib.parse.urlencode(
                        {"oauth_token": token, "oauth_token_secret": secret, "oauth_callback_confirmed": "true"}
                    )
                else:
                    names = ("oauth_token", "oauth_token_secret", "user_id", "screen_name")
                    status, data = 200, urllib.parse.urlencode(dict(zip(names, GRANTED)))
                self.send_response(status)
                self.send_header("Content-Type", "text/html")  # as Twitter labels the form answer
                self.send_header("Content-Length", str(len(data.encode())))
                self.end_headers()
                self.wfile.write(data.encode())

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 64
            daemon_threads = True

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server_for(monkeypatch):
    monkeypatch.setattr(signature, "signature_base_string", recording_base_strings(signature.signature_base_string))
    servers = []

    def start(credentials, **options):
        server = OAuthlibServer(credentials, **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def follow(credentials, base_url, target, notify=False, api_version=1):
    """Follows through the library; returns (status, HTTP status, message)."""
    try:
        with twfollow.Client(*credentials, base_url=base_url, api_version=api_version) as client:
            client.follow(target, notify)
        return 0, 200, ""
    except twfollow.TwError as e:
        return e.status, e.http_status, e.message


@pytest.mark.parametrize("credentials", [PLAIN, AWKWARD], ids=["plain", "awkward"])
@pytest.mark.parametrize(
    "target,notify,wire",
    [
        ("@twitterdev", False, "screen_name=twitterdev&follow=false"),
        ("Some_Name_15chr", True, "screen_name=Some_Name_15chr&follow=true"),
        ("2244994945", False, "user_id=2244994945&follow=false"),
        ("18446744073709551615", True, "user_id=18446744073709551615&follow=true"),
    ],
)
def test_oauthlib_accepts_the_library_signature(server_for, credentials, target, notify, wire):
    server = server_for(credentials)
    status, http_status, message = follow(credentials, server.base_url, target, notify)
    assert server.verdicts == [{"valid": True, "method": "POST", "path": "/1.1/friendships/create.json", "body": wire}]
    assert (status, http_status, message) == (0, 200, "")


@pytest.mark.parametrize("credentials", [PLAIN, AWKWARD], ids=["plain", "awkward"])
def test_oauthlib_accepts_the_v2_lookup_and_json_follow(server_for, credentials):
    server = server_for(credentials)
    source = credentials[2].split("-")[0]
    assert follow(credentials, server.base_url + "/prefix", "@Some_Name", api_version=2) == (0, 200, "")
    assert follow(credentials, server.base_url, "18", api_version=2) == (0, 200, "")
    following = {"valid": True, "method": "POST", "path": f"/2/users/{source}/following"}
    assert server.verdicts == [
        {"valid": True, "method": "GET", "path": "/prefix/2/users/by/username/Some_Name", "body": ""},
        dict(following, path="/prefix" + following["path"], body='{"target_user_id":"2244994945"}'),
        dict(following, body='{"target_user_id":"18"}'),
    ]


def test_oauthlib_rejects_a_wrong_secret_in_v2(server_for):
    server = server_for(PLAIN)
    wrong = PLAIN[:3] + ("not-the-token-secret",)
    status, http_status, message = follow(wrong, server.base_url, "2244994945", api_version=2)
    assert [v["valid"] for v in server.verdicts] == [False]
    assert (status, http_status, message) == (20, 401, "HTTP 401: Unauthorized")


def test_oauthlib_with_a_path_prefix(server_for):
    server = server_for(AWKWARD)
    status, _, _ = follow(AWKWARD, server.base_url + "/api/v1/", "twitterdev")
    assert status == 0
    assert server.verdicts[0]["path"] == "/api/v1/1.1/friendships/create.json"
    assert server.verdicts[0]["valid"]


def test_oauthlib_rejects_a_wrong_secret(server_for):
    """The check can fail: a signature made with another secret is refused."""
    server = server_for(PLAIN)
    wrong = PLAIN[:3] + ("not-the-token-secret",)
    status, http_status, message = follow(wrong, server.base_url, "twitterdev")
    assert server.verdicts[0]["valid"] is False
    assert (status, http_status) == (20, 401)  # TW_STATUS_AUTH
    assert message == "HTTP 401, error 32: Could not authenticate you."


# The OAuth 1.0a three-legged flow (issue 10), through the Python flow object.


def consumer(credentials):
    return credentials[:2]


@pytest.mark.parametrize("credentials", [PLAIN, AWKWARD], ids=["plain", "awkward"])
@pytest.mark.parametrize("callback", ["oob", "https://app.example/done?x=1&y=%20ü/é"])
def test_oauthlib_accepts_the_request_token_signature(server_for, credentials, callback):
    """Consumer key and secret only (no oauth_token, an empty token secret), with
    oauth_callback among the signed parameters."""
    server = server_for(credentials)
    with twfollow.OAuth1Flow(*consumer(credentials), callback=callback, base_url=server.base_url) as flow:
        url = flow.authorization_url()
        assert (flow.request_token, flow.request_token_secret) == REQUEST_TOKEN
    assert server.verdicts == [
        {"valid": True, "path": "/oauth/request_token", "callback": callback, "token": None, "verifier": None}
    ]
    assert url == f"{server.base_url}/oauth/authorize?oauth_token={REQUEST_TOKEN[0]}"


@pytest.mark.parametrize("credentials", [PLAIN, AWKWARD], ids=["plain", "awkward"])
def test_oauthlib_accepts_the_access_token_signature(server_for, credentials):
    """oauth_token and oauth_verifier, signed with the consumer secret and the
    request token's secret (as stored by a web app between the two steps)."""
    server = server_for(credentials)
    token, secret = REQUEST_TOKEN
    with twfollow.OAuth1Flow(
        *consumer(credentials), base_url=server.base_url + "/prefix", request_token=token, request_token_secret=secret
    ) as flow:
        access = flow.fetch_access_token(VERIFIER)
    assert server.verdicts == [
        {"valid": True, "path": "/prefix/oauth/access_token", "callback": None, "token": token, "verifier": VERIFIER}
    ]
    assert (access.token, access.secret, access.user_id, access.screen_name) == GRANTED


def test_oauthlib_rejects_a_request_token_signed_with_a_wrong_consumer_secret(server_for):
    server = server_for(PLAIN)
    with twfollow.OAuth1Flow(PLAIN[0], "not-the-consumer-secret", base_url=server.base_url) as flow:
        with pytest.raises(twfollow.AuthError) as caught:
            flow.authorization_url()
    assert [v["valid"] for v in server.verdicts] == [False]
    assert (caught.value.http_status, caught.value.api_code) == (401, 32)


def test_oauthlib_rejects_an_access_token_signed_with_a_wrong_request_token_secret(server_for):
    server = server_for(PLAIN)
    with twfollow.OAuth1Flow(
        *consumer(PLAIN), base_url=server.base_url, request_token=REQUEST_TOKEN[0], request_token_secret="wrong"
    ) as flow:
        with pytest.raises(twfollow.AuthError) as caught:
            flow.fetch_access_token(VERIFIER)
    assert [v["valid"] for v in server.verdicts] == [False]
    assert (caught.value.http_status, caught.value.api_code) == (401, 32)


# Unfollow and relationship lookup (issue 11): a form POST, a GET with a query, a DELETE.


@pytest.mark.parametrize("credentials", [PLAIN, AWKWARD], ids=["plain", "awkward"])
def test_oauthlib_accepts_unfollow_and_relationship_in_both_versions(server_for, credentials):
    server = server_for(credentials)
    source = credentials[2].split("-")[0]
    with twfollow.Client(*credentials, base_url=server.base_url) as client:
        assert client.unfollow("@Some_Name") == {"target": {"id": "1", "username": "verified"}, "following": False}
        assert client.unfollow(18) == {"target": {"id": "1", "username": "verified"}, "following": False}
        relationship = client.relationship("2244994945")
        assert relationship == {"target": {"id": "2244994945", "username": "verified"}, "following": True, "followed_by": False}
        client.relationship("Some_Name")
    with twfollow.Client(*credentials, base_url=server.base_url + "/prefix", api_version=2) as client:
        assert client.unfollow("18") == {"target": {"id": "18"}, "following": False}
        assert client.unfollow("@Some_Name") == {
            "target": {"id": "2244994945", "username": "verified"},
            "following": False,
        }
        assert client.relationship(18)["following"] is True
        assert client.relationship("@Some_Name") == {"target": {"id": "2244994945", "username": "verified"}}
    following = f"/prefix/2/users/{source}/following"
    assert server.verdicts == [
        {"valid": True, "method": "POST", "path": "/1.1/friendships/destroy.json", "body": "screen_name=Some_Name"},
        {"valid": True, "method": "POST", "path": "/1.1/friendships/destroy.json", "body": "user_id=18"},
        {"valid": True, "method": "GET", "path": "/1.1/friendships/show.json?target_id=2244994945", "body": ""},
        {"valid": True, "method": "GET", "path": "/1.1/friendships/show.json?target_screen_name=Some_Name", "body": ""},
        {"valid": True, "method": "DELETE", "path": f"{following}/18", "body": ""},
        {"valid": True, "method": "GET", "path": "/prefix/2/users/by/username/Some_Name", "body": ""},
        {"valid": True, "method": "DELETE", "path": f"{following}/2244994945", "body": ""},
        {"valid": True, "method": "GET", "path": "/prefix/2/users/18?user.fields=connection_status", "body": ""},
        {
            "valid": True,
            "method": "GET",
            "path": "/prefix/2/users/by/username/Some_Name?user.fields=connection_status",
            "body": "",
        },
    ]


@pytest.mark.parametrize("api_version", [1, 2])
def test_oauthlib_rejects_an_unfollow_signed_with_a_wrong_secret(server_for, api_version):
    server = server_for(PLAIN)
    wrong = PLAIN[:3] + ("not-the-token-secret",)
    with twfollow.Client(*wrong, base_url=server.base_url, api_version=api_version) as client:
        with pytest.raises(twfollow.AuthError) as caught:
            client.unfollow("18")
        with pytest.raises(twfollow.AuthError):
            client.relationship("18")
    assert caught.value.http_status == 401
    assert [(v["method"], v["valid"]) for v in server.verdicts] == [
        ("POST" if api_version == 1 else "DELETE", False),
        ("GET", False),
    ]


# The wire trace (issue 15): the base string the library traces is, byte for byte, the
# one oauthlib computes on the server side for the same request.


def traced_base_strings(credentials, base_url, target, **options):
    """Follows with the trace on; returns the traced base strings and the error (or None)."""
    lines = []
    error = None
    try:
        with twfollow.Client(*credentials, base_url=base_url, trace=lambda k, l: lines.append((k, l)), **options) as c:
            c.follow(target)
    except twfollow.TwError as e:
        error = e
    return [line for kind, line in lines if kind == TraceKind.BASE_STRING], error


@pytest.mark.parametrize("credentials", [PLAIN, AWKWARD], ids=["plain", "awkward"])
def test_the_traced_base_string_is_oauthlibs_for_a_follow(server_for, credentials):
    server = server_for(credentials)
    traced, error = traced_base_strings(credentials, server.base_url + "/api", "@Some_Name")
    assert error is None
    assert len(traced) == 1 and traced == server.base_strings
    assert traced[0].startswith("POST&http%3A%2F%2F127.0.0.1%3A")
    # A refused signature: the base strings still agree (that is how a 401 is debugged).
    wrong = credentials[:3] + ("not-the-token-secret",)
    traced, error = traced_base_strings(wrong, server.base_url, "2244994945")
    assert isinstance(error, twfollow.AuthError)
    assert [v["valid"] for v in server.verdicts] == [True, False]
    assert traced == server.base_strings[1:]


@pytest.mark.parametrize("credentials", [PLAIN, AWKWARD], ids=["plain", "awkward"])
def test_the_traced_base_strings_are_oauthlibs_for_a_v2_follow(server_for, credentials):
    server = server_for(credentials)
    traced, error = traced_base_strings(credentials, server.base_url, "@Some_Name", api_version=2)
    assert error is None
    assert [v["method"] for v in server.verdicts] == ["GET", "POST"]
    assert len(traced) == 2 and traced == server.base_strings
    assert traced[0].startswith("GET&") and traced[1].startswith("POST&")


@pytest.mark.parametrize("credentials", [PLAIN, AWKWARD], ids=["plain", "awkward"])
def test_the_traced_base_strings_are_oauthlibs_for_each_attempt_of_a_retried_call(server_for, credentials):
    server = server_for(credentials, fail_first=2)
    traced, error = traced_base_strings(credentials, server.base_url, "twitterdev", max_retries=3)
    assert error is None
    assert [v["valid"] for v in server.verdicts] == [True, True, True]
    assert len(traced) == 3 and traced == server.base_strings
    assert len(set(traced)) == 3, "each attempt is signed afresh"


def test_the_traced_base_strings_are_oauthlibs_for_the_token_steps(server_for):
    server = server_for(AWKWARD)
    lines = []

    def hook(kind, line):
        lines.append((kind, line))

    with twfollow.OAuth1Flow(*consumer(AWKWARD), callback="https://app.example/?a=ü", base_url=server.base_url,
                             trace=hook) as flow:
        flow.authorization_url()
        flow.fetch_access_token(VERIFIER)
    assert [v["valid"] for v in server.verdicts] == [True, True]
    traced = [line for kind, line in lines if kind == TraceKind.BASE_STRING]
    # Byte for byte oauthlib's, but for the verifier, which the trace redacts as a secret.
    verifier = f"oauth_verifier%3D{VERIFIER}"
    assert verifier in server.base_strings[1]
    expected = [server.base_strings[0], server.base_strings[1].replace(verifier, "oauth_verifier%3D[redacted]")]
    assert len(traced) == 2 and traced == expected
    # The request-token secret signs the second step, the verifier is sent in it: neither is in any line.
    assert not any(REQUEST_TOKEN[1] in line or urllib.parse.quote(REQUEST_TOKEN[1]) in line for _, line in lines)
    assert not any(VERIFIER in line for _, line in lines)
