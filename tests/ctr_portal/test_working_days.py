"""Working days in England skip weekends and England's bank holidays (from the `holidays`
library), for the review clock and for the document pack's deadlines alike."""

from datetime import date

from ctr_portal.working_days import is_working_day, working_days_after, working_days_before
from documents import policy as pack_policy


def test_bank_holidays_in_england_are_not_working_days():
    assert not is_working_day(date(2027, 3, 26))  # Good Friday
    assert not is_working_day(date(2027, 3, 29))  # Easter Monday
    assert not is_working_day(date(2027, 12, 28))  # Boxing Day, substitute day
    assert is_working_day(date(2027, 3, 25))


def test_counting_working_days_forward_skips_the_easter_weekend():
    assert working_days_after(date(2027, 3, 25), 1) == date(2027, 3, 30)
    assert working_days_after(date(2027, 3, 22), 10) == date(2027, 4, 7)


def test_the_packs_target_date_skips_bank_holidays_too():
    # Five working days before Thursday 1 April 2027: 31, 30 March, then 25, 24, 23 March.
    assert pack_policy.working_days_before(date(2027, 4, 1), 5) == date(2027, 3, 23)
    assert working_days_before(date(2027, 3, 30), 1) == date(2027, 3, 25)
