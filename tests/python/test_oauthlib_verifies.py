"""Independent check of the signer: oauthlib, the reference Python implementation
of RFC 5849, verifies requests that the library sends, so the library's signer
and the sandbox's verifier cannot share a mistake unnoticed."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

import twfollow

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


class OAuthlibServer:
    """A loopback HTTP server whose only job is oauthlib verification."""

    def __init__(self, credentials):
        self.endpoint = SignatureOnlyEndpoint(Validator(credentials))
        self.verdicts = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):
                self.verify("POST")

            def do_GET(self):
                self.verify("GET")

            def verify(self, method):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode("utf-8")
                uri = f"http://{self.headers['Host']}{self.path}"
                # oauthlib signs a body only when it is form-encoded, as RFC 5849 says.
                valid, _ = outer.endpoint.validate_request(uri, method, body, dict(self.headers))
                outer.verdicts.append({"valid": valid, "method": method, "path": self.path, "body": body})
                v2 = "/2/users/" in self.path
                if not valid:
                    status = 401
                    answer = (
                        {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
                        if v2
                        else {"errors": [{"code": 32, "message": "Could not authenticate you."}]}
                    )
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
def server_for():
    servers = []

    def start(credentials):
        server = OAuthlibServer(credentials)
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
