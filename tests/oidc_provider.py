"""The real OpenID provider (npm `oidc-provider`, set up by tests/oidc/provider.mjs) on loopback,
playing CIS2 or NHS login, and a loopback receiver for the back-channel logouts it sends.

Users are picked by `login_hint` (tests/oidc/users.json), so no browser is needed: `sign_in`
follows the provider's redirects with `requests` and returns where it sends the browser back."""

import json
import queue
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from joserfc.jwk import RSAKey

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
USERS = json.loads((ROOT / "tests" / "oidc" / "users.json").read_text())
CLIENT_ID = "ctr-portal-test"
APP = "http://testserver"


def new_key_pem() -> str:
    return RSAKey.generate_key(2048, private=True).as_pem(private=True).decode()


def public_jwks(pem: str) -> dict:
    key = RSAKey.import_key(pem)
    public = key.as_dict(private=False)
    public.update(kid=key.thumbprint(), use="sig", alg="RS512")
    return {"keys": [public]}


class LogoutReceiver:
    """Stands where the service's back-channel logout URL would be, and keeps each token."""

    def __init__(self):
        self.tokens = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = parse_qs(self.rfile.read(length).decode())
                receiver.tokens.put(body.get("logout_token", [""])[0])
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/backchannel-logout"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


class LocalProvider:
    def __init__(
        self,
        profile: str,
        *,
        redirect_path: str,
        backchannel_logout_uri: str = "",
        app=APP,
        users=None,
    ):
        self.profile = profile
        self.key_pem = new_key_pem()
        client = {
            "client_id": CLIENT_ID,
            "redirect_uris": [app + redirect_path],
            "jwks": public_jwks(self.key_pem),
        }
        if backchannel_logout_uri:
            client["backchannel_logout_uri"] = backchannel_logout_uri
        self._config = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)  # noqa: SIM115
        config = {"port": 0, "clients": [client]}
        if users is not None:
            config["users"] = {profile: users}
        json.dump(config, self._config)
        self._config.close()
        self.process = subprocess.Popen(
            ["node", str(SCRIPT), profile, self._config.name],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=ROOT,
        )
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the local OpenID provider did not start (npm ci?)")
        self.issuer = json.loads(line)["issuer"]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        Path(self._config.name).unlink(missing_ok=True)

    def sign_in(self, authorization_url: str) -> str:
        """Follow the provider from its authorization URL (login_hint in it) to where it sends
        the browser back; returns that path and query, for the Django test client."""
        browser = requests.Session()
        url = authorization_url
        for _ in range(10):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.status_code not in (302, 303):
                raise AssertionError(
                    f"the provider answered {response.status_code}: {response.text}"
                )
            url = requests.compat.urljoin(url, response.headers["Location"])
            if url.startswith(APP):
                parts = urlsplit(url)
                return f"{parts.path}?{parts.query}"
        raise AssertionError("the provider never sent the browser back")

    def logout(self, sub: str) -> None:
        """End the user's session at the provider: it sends every client a back-channel logout."""
        response = requests.post(f"{self.issuer}/test/logout/{sub}", timeout=10)
        assert response.status_code == 204, response.text


def user(profile: str, hint: str) -> dict:
    return USERS[profile][hint]
