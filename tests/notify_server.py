"""A stand-in for GOV.UK Notify on loopback, for the tests (Notify has no local edition).

It answers the v2 endpoints the service uses, as Notify documents them: send an email, send a
text message, send a precompiled letter, get a notification. Each request must carry a JWT made
with the service's API key: it is checked with the official client's own `decode_jwt_token`, and
its issuer must be the service id, so a wrong key or a stale token is refused with 403 as Notify
refuses it. A test can make the next requests answer 429 or 500, and reads what was sent.
"""

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from notifications_python_client.authentication import decode_jwt_token, decode_token
from notifications_python_client.errors import TokenError

SERVICE_ID = "6a1e40d7-3c5e-4f51-9f0c-0c3f2c6f1d01"
SECRET = "2f7b9e1c-8d4a-4b6e-a1f3-5c9d7e2b4a60"
API_KEY = f"ctr_portal_test-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE_ID = "b1a7f6a0-1d3e-4c1b-9a51-7f2e8c3d9e11"
SMS_TEMPLATE_ID = "c2b8e7b1-2e4f-4d2c-8b62-8e3f9d4eaf22"
SMS_MAX_CHARACTERS = 918  # Notify's limit: 6 fragments


class NotifyStandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.sent: list[dict] = []
        self.refused: list[tuple[int, str]] = []
        self._failures: list[int] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fail_next(self, status: int, times: int = 1) -> None:
        """The next `times` send requests answer `status` (429, 500) and send nothing."""
        with self.lock:
            self._failures += [status] * times

    def take_failure(self) -> int | None:
        with self.lock:
            return self._failures.pop(0) if self._failures else None

    def set_status(self, notification_id: str, status: str) -> None:
        """What Notify says of a message afterwards (delivered, permanent-failure, ...)."""
        with self.lock:
            for message in self.sent:
                if message["id"] == notification_id:
                    message["status"] = status

    def of_type(self, kind: str) -> list[dict]:
        return [m for m in self.sent if m["type"] == kind]


def _error(status: int, error: str, message: str) -> dict:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


class _Handler(BaseHTTPRequestHandler):
    server: NotifyStandIn

    def log_message(self, *args):  # quiet
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        scheme, _, token = self.headers.get("Authorization", "").partition(" ")
        try:
            if scheme != "Bearer" or not token:
                raise TokenError("no token")
            decode_jwt_token(token, SECRET)
            if decode_token(token).get("iss") != SERVICE_ID:
                raise TokenError("wrong issuer")
        except TokenError as exc:
            self.server.refused.append((403, type(exc).__name__))
            self._answer(403, _error(403, "AuthError", "Invalid token: API key not found"))
            return False
        return True

    def do_GET(self):
        if not self._authorised():
            return
        notification_id = self.path.rstrip("/").rsplit("/", 1)[-1]
        found = [m for m in self.server.sent if m["id"] == notification_id]
        if not self.path.startswith("/v2/notifications/") or not found:
            self._answer(404, _error(404, "NoResultFound", "No result found"))
            return
        message = found[0]
        self._answer(
            200,
            {
                "id": message["id"],
                "reference": message["reference"],
                "type": message["type"],
                "status": message.get("status", "created"),
                "body": message.get("body", ""),
                "subject": message.get("subject"),
            },
        )

    def do_POST(self):
        if not self._authorised():
            return
        length = int(self.headers.get("Content-Length", 0))
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._answer(400, _error(400, "BadRequestError", "Not JSON"))
            return
        failure = self.server.take_failure()
        if failure == 429:
            self._answer(429, _error(429, "RateLimitError", "Exceeded rate limit for key"))
            return
        if failure:
            self._answer(failure, _error(failure, "Exception", "Internal server error"))
            return
        kind = self.path.rstrip("/").rsplit("/", 1)[-1]
        message = {"id": str(uuid.uuid4()), "type": kind, "reference": request.get("reference")}
        if kind == "email":
            if request.get("template_id") != EMAIL_TEMPLATE_ID:
                self._answer(400, _error(400, "BadRequestError", "Template not found"))
                return
            personalisation = request.get("personalisation") or {}
            message |= {
                "to": request["email_address"],
                "subject": personalisation.get("subject", ""),
                "body": personalisation.get("body", ""),
            }
        elif kind == "sms":
            body = (request.get("personalisation") or {}).get("body", "")
            if request.get("template_id") != SMS_TEMPLATE_ID:
                self._answer(400, _error(400, "BadRequestError", "Template not found"))
                return
            if len(body) > SMS_MAX_CHARACTERS:
                self._answer(400, _error(400, "BadRequestError", "Text messages too long"))
                return
            message |= {"to": request["phone_number"], "body": body}
        elif kind == "letter":
            pdf = base64.b64decode(request.get("content", ""))
            if not pdf.startswith(b"%PDF") or not request.get("reference"):
                self._answer(400, _error(400, "ValidationError", "Letter content is not a PDF"))
                return
            message |= {"pdf": pdf, "postage": request.get("postage") or "second"}
        else:
            self._answer(404, _error(404, "NotFound", "Not found"))
            return
        with self.server.lock:
            self.server.sent.append(message)
        self._answer(201, {"id": message["id"], "reference": message["reference"]})


def start() -> NotifyStandIn:
    server = NotifyStandIn()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
