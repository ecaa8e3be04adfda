"""The Personal Demographics Service (PDS FHIR R4 API): a person read by NHS number.

Application-restricted access (NHS England's "signed JWT authentication" pattern): a JWT signed
with our private key (RS512, with our key id, lasting five minutes) is exchanged for an access
token at the token endpoint; the token is kept until a minute before it expires. Then
`GET /Patient/{nhs_number}` answers one Patient, or an OperationOutcome naming why not.

What comes back is reduced at once to `Demographics`: the NHS number, the name in use, the date
of birth, the home address and the registered GP practice's ODS code. Nothing else of the
resource is kept, and a restricted record's address and GP practice are dropped here, before any
caller sees them (ADR 0019).

Switched off unless PDS_BASE_URL is set (`pds_enabled()`). Log lines name the outcome and how
long PDS took, never an NHS number or a name; the request id is added by the log filter.
"""

import json
import logging
import re
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

import jwt
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from ctr_portal.middleware import current_request_id

logger = logging.getLogger(__name__)

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
# Confidentiality codes that make a record restricted ("sensitive"): R restricted, V very
# restricted, REDACTED as PDS marks a record whose details it withholds.
RESTRICTED_CODES = {"R", "V", "REDACTED"}
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME_SECONDS = 300  # NHS England's token endpoint refuses more than five minutes
TOKEN_CACHE_KEY = "reviews.pds.access_token"
TOKEN_MARGIN_SECONDS = 60


class Outcome(StrEnum):
    """What a look-up found. Audited (never the data it returned)."""

    MATCH = "match"
    NOT_FOUND = "not_found"  # RESOURCE_NOT_FOUND
    INVALID_NUMBER = "invalid_number"  # INVALID_RESOURCE_ID
    INVALIDATED = "invalidated"  # INVALIDATED_RESOURCE
    TOO_MANY_MATCHES = "too_many_matches"  # TOO_MANY_MATCHES
    UNAVAILABLE = "unavailable"  # no answer we could use: down, refused us, timed out


ERROR_CODES = {
    "RESOURCE_NOT_FOUND": Outcome.NOT_FOUND,
    "INVALID_RESOURCE_ID": Outcome.INVALID_NUMBER,
    "INVALIDATED_RESOURCE": Outcome.INVALIDATED,
    "TOO_MANY_MATCHES": Outcome.TOO_MANY_MATCHES,
}

# What the commissioner is told, beside the NHS number, when PDS finds nobody to compare with.
OUTCOME_MESSAGES = {
    Outcome.NOT_FOUND: (
        "No one with this NHS number was found in the Personal Demographics Service (PDS). "
        "Check the number"
    ),
    Outcome.INVALID_NUMBER: (
        "The Personal Demographics Service (PDS) says this is not a valid NHS number. Check "
        "the number"
    ),
    Outcome.INVALIDATED: (
        "This NHS number is no longer used: the Personal Demographics Service (PDS) has "
        "marked its record as invalid. Find the person's current NHS number"
    ),
    Outcome.TOO_MANY_MATCHES: (
        "The Personal Demographics Service (PDS) found more than one record for this NHS "
        "number, so it cannot tell us who this is. Check the number with the person's GP "
        "practice"
    ),
    Outcome.UNAVAILABLE: (
        "We could not check the NHS number with the Personal Demographics Service (PDS) just now"
    ),
}


class PdsUnavailable(Exception):
    """PDS gave no answer we can use. The message is for the log: no personal data in it."""


@dataclass(frozen=True)
class Demographics:
    """What we take from a PDS record, and nothing more."""

    nhs_number: str
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    address: str = ""  # the home address, one line of it to a line; "" when restricted
    gp_ods_code: str = ""  # the registered GP practice; "" when restricted
    restricted: bool = False

    def as_session(self) -> dict:
        """A JSON-safe copy, to carry the record from one page to the next in the session."""
        data = asdict(self)
        data["date_of_birth"] = self.date_of_birth.isoformat() if self.date_of_birth else None
        return data

    @classmethod
    def from_session(cls, data: dict) -> "Demographics":
        data = dict(data)
        born = data.get("date_of_birth")
        data["date_of_birth"] = date.fromisoformat(born) if born else None
        return cls(**data)


@dataclass(frozen=True)
class Lookup:
    outcome: Outcome
    record: Demographics | None = None

    @property
    def message(self) -> str:
        return OUTCOME_MESSAGES.get(self.outcome, "")


def pds_enabled() -> bool:
    return bool(settings.PDS_BASE_URL)


def read_patient(nhs_number: str) -> Lookup:
    """One person by their (already checked) NHS number: one match or none."""
    started = time.monotonic()
    try:
        lookup = _read_patient(nhs_number)
    except PdsUnavailable as error:
        logger.warning("PDS look-up: %s (%s)", Outcome.UNAVAILABLE, error)
        return Lookup(Outcome.UNAVAILABLE)
    took = round((time.monotonic() - started) * 1000)
    logger.info("PDS look-up: %s in %d ms", lookup.outcome, took)
    return lookup


def _read_patient(nhs_number: str) -> Lookup:
    url = f"{settings.PDS_BASE_URL}/Patient/{nhs_number}"
    for attempt in (1, 2):
        status, body = _request(url, headers=_api_headers(_access_token()))
        if status in (401, 403) and attempt == 1:
            cache.delete(TOKEN_CACHE_KEY)  # a token PDS no longer accepts: ask for a new one
            continue
        return _lookup_from(status, body)
    raise PdsUnavailable(f"refused our access token twice ({status})")


def _lookup_from(status: int, body) -> Lookup:
    kind = body.get("resourceType") if isinstance(body, dict) else None
    if kind == "OperationOutcome":
        codes = [
            coding.get("code")
            for issue in body.get("issue") or []
            for coding in (issue.get("details") or {}).get("coding") or []
        ]
        for code in codes:
            if code in ERROR_CODES:
                return Lookup(ERROR_CODES[code])
        raise PdsUnavailable(f"HTTP {status}, OperationOutcome {codes}")
    if status == 200 and kind == "Patient":
        return Lookup(Outcome.MATCH, demographics_from(body))
    if status == 200 and kind == "Bundle":
        entries = [e.get("resource") or {} for e in body.get("entry") or []]
        total = body.get("total", len(entries))
        if total == 0:
            return Lookup(Outcome.NOT_FOUND)
        if total > 1 or len(entries) != 1:
            return Lookup(Outcome.TOO_MANY_MATCHES)
        return _lookup_from(200, entries[0])
    raise PdsUnavailable(f"HTTP {status}, {kind or 'no FHIR resource'}")


# --- The FHIR Patient, reduced to what we keep -----------------------------------------------


def _current(entries: list, today: date) -> list:
    """Entries whose period has not ended (FHIR periods are inclusive)."""
    current = []
    for entry in entries:
        end = (entry.get("period") or {}).get("end")
        if not end or end[:10] >= today.isoformat():
            current.append(entry)
    return current


def _in_use(entries: list, use: str, today: date) -> dict:
    """The current entry of a `use` ("usual" name, "home" address), else the first current
    one, else the first."""
    current = _current(entries, today)
    for entry in current:
        if entry.get("use") == use:
            return entry
    return (current or entries or [{}])[0]


def demographics_from(patient: dict) -> Demographics:
    today = timezone.localdate()
    security = (patient.get("meta") or {}).get("security") or []
    restricted = any(
        label.get("code") in RESTRICTED_CODES
        for label in security
        if label.get("system", CONFIDENTIALITY_SYSTEM) == CONFIDENTIALITY_SYSTEM
    )
    name = _in_use(patient.get("name") or [], "usual", today)
    given = name.get("given") or [""]
    try:
        born = date.fromisoformat(patient.get("birthDate") or "")
    except ValueError:
        born = None  # a partial date (a year alone): not one to offer
    address = gp = ""
    if not restricted:
        home = _in_use(patient.get("address") or [], "home", today)
        lines = [*(home.get("line") or []), home.get("postalCode") or ""]
        address = "\n".join(line.strip() for line in lines if line and line.strip())
        for practice in _current(patient.get("generalPractitioner") or [], today):
            identifier = practice.get("identifier") or {}
            if identifier.get("system") == ODS_SYSTEM and identifier.get("value"):
                gp = identifier["value"].strip().upper()
                break
    identifiers = [
        i.get("value")
        for i in patient.get("identifier") or []
        if i.get("system") == NHS_NUMBER_SYSTEM
    ]
    return Demographics(
        nhs_number=str(patient.get("id") or (identifiers or [""])[0]),
        given_name=(given[0] or "").strip(),
        family_name=(name.get("family") or "").strip(),
        date_of_birth=born,
        address=address,
        gp_ods_code=gp,
        restricted=restricted,
    )


# --- What differs from what we hold ---------------------------------------------------------

# The person's fields PDS can speak for, in the order the page asks about them.
COMPARED = {
    "nhs_number": "NHS number",
    "given_name": "First name",
    "family_name": "Last name",
    "date_of_birth": "Date of birth",
    "address": "Address",
    "gp_ods_code": "GP practice",
}
_SPACE_OR_COMMA = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Difference:
    field: str
    label: str
    ours: object
    theirs: object


def _same(ours, theirs) -> bool:
    if isinstance(ours, str) and isinstance(theirs, str):
        return _SPACE_OR_COMMA.sub(" ", ours).strip().casefold() == (
            _SPACE_OR_COMMA.sub(" ", theirs).strip().casefold()
        )
    return ours == theirs


def compare(ours: dict, record: Demographics) -> tuple[list[Difference], dict]:
    """What `ours` (the person's fields, as typed or as held) and PDS's record say.

    Returns the differences for the commissioner to choose between, and the values PDS fills
    in where we hold nothing. Where PDS says nothing we keep ours. A restricted record's address
    and GP practice are not offered: they are never kept (ADR 0019).
    """
    differences, filled = [], {}
    for name, label in COMPARED.items():
        theirs = getattr(record, name)
        if not theirs or (record.restricted and name in ("address", "gp_ods_code")):
            continue
        held = ours.get(name)
        if not held:
            filled[name] = theirs
        elif not _same(held, theirs):
            differences.append(Difference(name, label, held, theirs))
    return differences, filled


# --- Application-restricted access: a signed JWT for an access token -------------------------


def token_url() -> str:
    if settings.PDS_TOKEN_URL:
        return settings.PDS_TOKEN_URL
    parts = urlsplit(settings.PDS_BASE_URL)
    return f"{parts.scheme}://{parts.netloc}/oauth2/token"


def private_key() -> str:
    if settings.PDS_PRIVATE_KEY:
        return settings.PDS_PRIVATE_KEY
    if settings.PDS_PRIVATE_KEY_PATH:
        try:
            return Path(settings.PDS_PRIVATE_KEY_PATH).read_text()
        except OSError as error:
            raise PdsUnavailable(f"cannot read PDS_PRIVATE_KEY_PATH: {error.strerror}") from None
    raise PdsUnavailable("no private key: set PDS_PRIVATE_KEY or PDS_PRIVATE_KEY_PATH")


def client_assertion() -> str:
    """The signed JWT that authenticates us: issued by and about our API key, for the token
    endpoint, once (a fresh jti), lasting five minutes."""
    now = int(time.time())
    audience = token_url()
    claims = {
        "iss": settings.PDS_API_KEY,
        "sub": settings.PDS_API_KEY,
        "aud": audience,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + ASSERTION_LIFETIME_SECONDS,
    }
    try:
        return jwt.encode(
            claims, private_key(), algorithm="RS512", headers={"kid": settings.PDS_KEY_ID}
        )
    except (ValueError, TypeError, jwt.PyJWTError) as error:
        raise PdsUnavailable(f"cannot sign with the private key: {type(error).__name__}") from None


def _access_token() -> str:
    token = cache.get(TOKEN_CACHE_KEY)
    if token:
        return token
    status, body = _request(
        token_url(),
        data=urlencode(
            {
                "grant_type": "client_credentials",
                "client_assertion_type": CLIENT_ASSERTION_TYPE,
                "client_assertion": client_assertion(),
            }
        ).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 200 or not isinstance(body, dict) or not body.get("access_token"):
        error = body.get("error", "") if isinstance(body, dict) else ""
        raise PdsUnavailable(f"token endpoint answered {status} {error}".strip())
    try:
        lifetime = int(body.get("expires_in", 0))
    except (TypeError, ValueError):
        lifetime = 0
    if lifetime > TOKEN_MARGIN_SECONDS:
        cache.set(TOKEN_CACHE_KEY, body["access_token"], lifetime - TOKEN_MARGIN_SECONDS)
    return body["access_token"]


def _api_headers(token: str) -> dict:
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/fhir+json",
        "X-Request-ID": str(uuid.uuid4()),  # PDS asks for a new UUID on every request
    }
    if current_request_id.get():
        headers["X-Correlation-ID"] = current_request_id.get()
    return headers


def _request(url: str, *, headers: dict, data: bytes | None = None) -> tuple[int, object]:
    """(status, parsed JSON body or None). Raises PdsUnavailable when there is no answer."""
    if urlsplit(url).scheme not in ("https", "http"):
        raise PdsUnavailable("PDS addresses must be http(s)")
    request = Request(url, data=data, headers=headers, method="POST" if data else "GET")  # noqa: S310
    try:
        with urlopen(request, timeout=settings.PDS_TIMEOUT_SECONDS) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except HTTPError as error:
        status, raw = error.code, error.read()
    except (URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PdsUnavailable(f"no answer: {type(reason).__name__}") from None
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        if status >= 500 or status == 429:
            raise PdsUnavailable(f"HTTP {status}") from None
        raise PdsUnavailable(f"HTTP {status}, not JSON") from None
