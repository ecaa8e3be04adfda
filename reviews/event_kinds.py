"""The kinds of entry on a review's timeline (`ReviewEvent.kind`) and their labels.

Each app registers the kinds it writes, in its AppConfig.ready(): reviews its own
(`ReviewEvent.Kind`), the apps built on reviews theirs. The field keeps no choices, so a new
app's kind needs no reviews migration; `review_event_record` refuses a kind nobody registered,
and `ReviewEvent.get_kind_display` reads the label from here.
"""

from django.core.exceptions import ImproperlyConfigured

MAX_LENGTH = 20  # ReviewEvent.kind's max_length

_labels: dict[str, str] = {}


def register(kinds) -> None:
    """Register (value, label) pairs, or a TextChoices class. Registering a value again with the
    same label is harmless (ready() may run twice in tests); with another label it is an error,
    since two apps would be writing the same kind."""
    pairs = kinds.choices if hasattr(kinds, "choices") else kinds
    for value, label in pairs:
        if len(value) > MAX_LENGTH:
            raise ImproperlyConfigured(f"Timeline kind {value!r} is over {MAX_LENGTH} characters")
        if _labels.get(value, str(label)) != str(label):
            raise ImproperlyConfigured(
                f"Timeline kind {value!r} is already registered as {_labels[value]!r}"
            )
        _labels[value] = str(label)


def is_registered(kind: str) -> bool:
    return kind in _labels


def label(kind: str) -> str:
    """The kind's label; an entry of a kind no longer registered shows its value."""
    return _labels.get(kind, kind)
