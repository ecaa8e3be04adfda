"""NHS numbers: ten digits, the last a modulus-11 check digit."""

import re

from django.core.exceptions import ValidationError

_SEPARATORS = re.compile(r"[\s-]")


def normalise_nhs_number(value: str) -> str:
    """Drop spaces and dashes people type between the groups ("943 476 5919")."""
    return _SEPARATORS.sub("", value or "")


def check_digit(first_nine: str) -> int | None:
    """The modulus-11 check digit of the first nine digits; None when they take none (a
    remainder giving 10), so no NHS number starts with them."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def nhs_number_is_valid(value: str) -> bool:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    return check_digit(digits[:9]) == int(digits[9])


def made_up_nhs_number(start: int) -> str:
    """A valid NHS number for demo, bench and test data: the first nine digits from `start`
    upwards that take a check digit, and that digit."""
    while (check := check_digit(f"{start:09d}")) is None:
        start += 1
    return f"{start:09d}{check}"


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("NHS number must be 10 digits", code="format")
    if not nhs_number_is_valid(digits):
        raise ValidationError(
            "Enter a valid NHS number. Check you have typed all 10 digits correctly",
            code="check_digit",
        )
