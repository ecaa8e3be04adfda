"""Local choices: the policy values an ICB may really change, shown to administrators (ADR 0016).

Each app's policy.py holds its timescales and limits as named constants, each with its source:
NHS England policy (the document named), or a local choice and why. A value an ICB may really
change is declared there as a `LocalChoice` instead: its default and where the default comes
from stay in code, and an administrator sees each one, and may set another value, in the admin
("Local choices"). Code reads the value in force through `policy_value` (or `choice.value()`).

The values set are read in one query and kept for a minute, so a page or a sweep that asks
for a value on every row costs no more queries; a change made in this process is seen at once,
in the others within the minute.
"""

import time
from dataclasses import dataclass

LOCAL_CHOICES: dict[str, "LocalChoice"] = {}

CACHE_SECONDS = 60
_cache: dict = {"at": None, "values": {}}


@dataclass(frozen=True)
class LocalChoice:
    """One value an ICB may change: `key` names it ("app.what"), `label` says what it sets,
    `source` where the default comes from. Values are whole numbers, `minimum` or more."""

    key: str
    label: str
    default: int
    source: str
    unit: str = "days"
    minimum: int = 1

    def __post_init__(self):
        if self.key in LOCAL_CHOICES and LOCAL_CHOICES[self.key] != self:
            raise ValueError(f"Two local choices are called {self.key}.")
        LOCAL_CHOICES[self.key] = self

    def value(self) -> int:
        return policy_value(self.key)


def policy_value(key: str) -> int:
    """The value in force: the one an administrator set, or the default."""
    return _values_set().get(key, LOCAL_CHOICES[key].default)


def _values_set() -> dict[str, int]:
    now = time.monotonic()
    if _cache["at"] is None or now - _cache["at"] > CACHE_SECONDS:
        from .models import LocalPolicySetting

        rows = LocalPolicySetting.objects.filter(value__isnull=False).values_list("key", "value")
        _cache.update(at=now, values=dict(rows))
    return _cache["values"]


def policy_values_changed(**_):
    """Forget the values read, so the next read sees a change (connected to the model's saves)."""
    _cache["at"] = None


def policy_values_known(values: dict[str, int]):
    """Take `values` as the values set, without reading them (a test that starts from the
    defaults, whose database has none set)."""
    _cache.update(at=time.monotonic(), values=dict(values))


def local_choices_sync(apps=None, using="default", **_):
    """Give every local choice its row, so the admin lists each one (after migrate)."""
    from django.apps import apps as global_apps

    try:
        model = (apps or global_apps).get_model("ctr_portal", "LocalPolicySetting")
    except LookupError:  # migrating backwards past the table
        return
    known = set(model.objects.using(using).values_list("key", flat=True))
    model.objects.using(using).bulk_create(
        [model(key=key) for key in sorted(LOCAL_CHOICES) if key not in known]
    )


# Single-purpose links for people without an account (ctr_portal.links). Product choices, not
# NHS England policy: long enough for a letter handed over by a keyworker to be read and acted on
# (a post round trip and a fortnight's wait for a visit), short enough that a lost letter stops
# working within the month. A report link lasts as long as the report is being talked about.
LINK_LIFETIME_DAYS = {
    "respond": 28,  # product choice: accept or dispute within four weeks
    "update": 28,  # product choice: one update, asked for before each due date
    "read_report": 90,  # product choice: the report is read and re-read for three months
}
# Once-only purposes: the link is spent when used (reading a report is not).
LINK_SINGLE_USE = {"respond", "update"}
