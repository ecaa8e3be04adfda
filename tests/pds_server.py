"""A small stand-in for NHS England's PDS FHIR R4 API and its OAuth token endpoint, on loopback.

PDS has no local edition, so the tests start this once a session (`pds_server` in conftest.py)
and point the service at it. It speaks the two endpoints the service uses, as NHS England's
documentation and its sandbox answer them:

- `POST /oauth2/token`: application-restricted access. The client assertion must be a JWT signed
  RS512 with the private key whose public half this server holds, carry the expected key id,
  name the API key as issuer and subject and this endpoint as audience, expire within five
  minutes and never be used twice. A good one is exchanged for an access token.
- `GET /personal-demographics/FHIR/R4/Patient/{nhs_number}`: a FHIR Patient built with the
  `fhir.resources` package, or an OperationOutcome with PDS's codes: INVALID_RESOURCE_ID (not an
  NHS number), RESOURCE_NOT_FOUND, INVALIDATED_RESOURCE, TOO_MANY_MATCHES. It needs a bearer
  token this server issued and a UUID in X-Request-ID.

Tests add people with `add_patient` and read what was asked in `requests`.
"""

import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient

from reviews.nhs_number import nhs_number_is_valid

API_KEY = "test-api-key"
KEY_ID = "test-1"
PATIENT_PATH = "/personal-demographics/FHIR/R4/Patient/"
TOKEN_PATH = "/oauth2/token"
SPINE_CODES = "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode"

# NHS numbers (all with good check digits) that answer with PDS's errors.
INVALIDATED = "9000000033"
TOO_MANY_MATCHES = "9000000041"
BROKEN = "9000000068"  # the server fails (500), as a service does on a bad day


def make_patient(
    nhs_number,
    *,
    given="Jane",
    family="Smith",
    birth_date="1998-04-03",
    lines=("1 Trevelyan Square", "Boar Lane", "Leeds"),
    postcode="LS1 6AE",
    gp="Y12345",
    restricted=False,
    old_name=None,
) -> dict:
    """A PDS Patient as the API returns it (the parts the service reads, and some it ignores)."""
    names = [{"use": "usual", "given": [given, "Anne"], "family": family, "prefix": ["Mrs"]}]
    if old_name:
        names.insert(
            0,
            {
                "use": "usual",
                "given": [old_name[0]],
                "family": old_name[1],
                "period": {"start": "1998-04-03", "end": "2015-01-01"},
            },
        )
    resource = {
        "id": nhs_number,
        "meta": {
            "versionId": "2",
            "security": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                    "code": "R" if restricted else "U",
                    "display": "restricted" if restricted else "unrestricted",
                }
            ],
        },
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs_number}],
        "name": names,
        "gender": "female",
        "birthDate": birth_date,
        "telecom": [{"system": "phone", "value": "01632960587", "use": "home"}],
        "address": [
            {
                "use": "home",
                "line": list(lines),
                "postalCode": postcode,
                "period": {"start": "2020-01-01"},
            },
            {
                "use": "temp",
                "line": ["Student Accommodation"],
                "postalCode": "LS2 9JT",
                "period": {"start": "2020-01-01", "end": "2021-12-31"},
            },
        ],
        "generalPractitioner": [
            {
                "type": "Organization",
                "identifier": {
                    "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                    "value": gp,
                },
            }
        ],
    }
    # PDS sends no address, telecom or GP practice for a restricted record: this server sends
    # them anyway, so the tests show the service drops them itself.
    return json.loads(Patient(**resource).model_dump_json())


def operation_outcome(code, display, *, issue_code="processing", severity="error") -> dict:
    outcome = OperationOutcome(
        issue=[
            {
                "severity": severity,
                "code": issue_code,
                "details": {
                    "coding": [
                        {"system": SPINE_CODES, "version": "1", "code": code, "display": display}
                    ]
                },
            }
        ]
    )
    return json.loads(outcome.model_dump_json())


class PdsServer:
    def __init__(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self.public_key = key.public_key()
        self.patients = {}
        self.tokens = set()
        self.used_jtis = set()
        self.requests = []  # (method, path, headers) of every request, in order
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        host, port = self.httpd.server_address
        self.origin = f"http://{host}:{port}"
        self.base_url = f"{self.origin}/personal-demographics/FHIR/R4"
        self.token_url = f"{self.origin}{TOKEN_PATH}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self):
        with self.lock:
            self.patients.clear()
            self.tokens.clear()
            self.requests.clear()

    def add_patient(self, nhs_number, **details) -> dict:
        patient = make_patient(nhs_number, **details)
        self.patients[nhs_number] = patient
        return patient

    def revoke_tokens(self):
        """Every access token issued so far stops working (as one does when it expires)."""
        self.tokens.clear()

    # --- The endpoints ---

    def token(self, form: dict) -> tuple[int, dict]:
        def refused(error, description, status=400):
            return status, {"error": error, "error_description": description}

        if form.get("grant_type") != "client_credentials":
            return refused("unsupported_grant_type", "grant_type must be client_credentials")
        if form.get("client_assertion_type") != (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            return refused("invalid_request", "Missing or invalid client_assertion_type")
        assertion = form.get("client_assertion", "")
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(
                assertion,
                self.public_key,
                algorithms=["RS512"],
                audience=self.token_url,
                options={"require": ["iss", "sub", "aud", "jti", "exp"]},
            )
        except jwt.PyJWTError as error:
            return refused("invalid_request", f"Invalid client_assertion: {error}", 401)
        if header.get("kid") != KEY_ID:
            return refused("invalid_request", "Invalid 'kid' header in JWT - no matching key", 401)
        if claims["iss"] != API_KEY or claims["sub"] != API_KEY:
            return refused("invalid_request", "Invalid 'iss'/'sub' claims in JWT", 401)
        if claims["exp"] > time.time() + 300:
            return refused("invalid_request", "Invalid 'exp' claim in JWT - more than 5 minutes")
        with self.lock:
            if claims["jti"] in self.used_jtis:
                return refused("invalid_request", "Non-unique 'jti' claim in JWT")
            self.used_jtis.add(claims["jti"])
            token = secrets.token_urlsafe(24)
            self.tokens.add(token)
        return 200, {
            "access_token": token,
            "expires_in": "599",
            "token_type": "Bearer",
            "issued_at": str(int(time.time() * 1000)),
        }

    def patient(self, nhs_number: str, headers) -> tuple[int, dict]:
        token = (headers.get("Authorization") or "").removeprefix("Bearer ")
        if token not in self.tokens:
            return 401, operation_outcome(
                "ACCESS_DENIED", "Access Denied - Unauthorised", issue_code="forbidden"
            )
        try:
            uuid.UUID(headers.get("X-Request-ID") or "")
        except ValueError:
            return 400, operation_outcome(
                "INVALID_VALUE", "Provided value is invalid", issue_code="value"
            )
        if not nhs_number_is_valid(nhs_number):
            return 400, operation_outcome(
                "INVALID_RESOURCE_ID", "Resource Id is invalid", issue_code="value"
            )
        if nhs_number == BROKEN:
            return 500, {}
        if nhs_number == INVALIDATED:
            return 404, operation_outcome(
                "INVALIDATED_RESOURCE",
                "Resource that has been marked as invalid was requested - invalid resources "
                "cannot be retrieved",
            )
        if nhs_number == TOO_MANY_MATCHES:
            return 200, operation_outcome(
                "TOO_MANY_MATCHES",
                "Too Many Matches",
                issue_code="multiple-matches",
                severity="information",
            )
        if nhs_number in self.patients:
            return 200, self.patients[nhs_number]
        return 404, operation_outcome(
            "RESOURCE_NOT_FOUND",
            "Resource not found",
            issue_code="not-found",
            severity="information",
        )


def _handler(server: PdsServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # quiet: the tests read `server.requests`
            pass

        def _answer(self, status, body):
            payload = json.dumps(body).encode() if body else b"Internal Server Error"
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json" if body else "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self):
            server.requests.append(("POST", self.path, dict(self.headers)))
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path != TOKEN_PATH:
                return self._answer(404, {"error": "not_found"})
            return self._answer(*server.token(form))

        def do_GET(self):
            server.requests.append(("GET", self.path, dict(self.headers)))
            if not self.path.startswith(PATIENT_PATH):
                return self._answer(404, operation_outcome("INVALID_METHOD", "Not found"))
            return self._answer(*server.patient(self.path[len(PATIENT_PATH) :], self.headers))

    return Handler
