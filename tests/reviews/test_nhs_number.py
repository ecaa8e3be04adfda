"""NHS numbers: ten digits, the last a modulus-11 check digit; people type them with spaces or
dashes between the groups."""

import pytest
from django.core.exceptions import ValidationError

from reviews.nhs_number import nhs_number_is_valid, normalise_nhs_number, validate_nhs_number


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "4857773457"])
def test_a_number_with_the_right_check_digit_is_valid(number):
    assert nhs_number_is_valid(number)
    validate_nhs_number(number)


@pytest.mark.parametrize("typed", ["943 476 5919", "943-476-5919", " 943 476-5919 ", "9434 765919"])
def test_spaces_and_dashes_between_the_groups_are_allowed(typed):
    assert normalise_nhs_number(typed) == "9434765919"
    assert nhs_number_is_valid(typed)
    validate_nhs_number(typed)


@pytest.mark.parametrize("number", ["9434765918", "4010232130", "4857773456"])
def test_a_number_with_the_wrong_check_digit_is_invalid(number):
    assert not nhs_number_is_valid(number)
    with pytest.raises(ValidationError) as caught:
        validate_nhs_number(number)
    assert caught.value.messages == [
        "Enter a valid NHS number. Check you have typed all 10 digits correctly"
    ]


@pytest.mark.parametrize("last_digit", "0123456789")
def test_no_number_is_valid_when_the_check_digit_works_out_as_10(last_digit):
    # For 401 023 217 the weighted sum leaves a remainder of 1, so the check digit would be 10:
    # such numbers are never issued, whatever the last digit.
    assert not nhs_number_is_valid(f"401023217{last_digit}")


@pytest.mark.parametrize("typed", ["", "943476591", "94347659190", "943476591A", "943.476.5919"])
def test_anything_but_ten_digits_is_refused_with_the_format_message(typed):
    assert not nhs_number_is_valid(typed)
    with pytest.raises(ValidationError) as caught:
        validate_nhs_number(typed)
    assert caught.value.messages == ["NHS number must be 10 digits"]
