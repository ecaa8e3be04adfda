"""NHS numbers: ten digits, the last a modulus-11 check digit."""

import re

from django.core.exceptions import ValidationError

_SEPARATORS = re.compile(r"[\s-]")


def normalise_nhs_number(value: str) -> str:
    """Drop spaces and dashes people type between the groups ("943 476 5919")."""
    return _SEPARATORS.sub("", value or "")


def nhs_number_is_valid(value: str) -> bool:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("NHS number must be 10 digits", code="format")
    if not nhs_number_is_valid(digits):
        raise ValidationError(
            "Enter a valid NHS number. Check you have typed all 10 digits correctly",
            code="check_digit",
        )
