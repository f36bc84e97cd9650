import pytest
from django.core.exceptions import ValidationError

from callpulse.core.money import format_money
from callpulse.core.phones import format_phone, looks_like_phone, normalize_phone


@pytest.mark.parametrize(
    "typed",
    ["8 (701) 123-45-67", "+7 701 1234567", "77011234567", "87011234567", "+7-701-123-45-67"],
)
def test_every_common_form_of_a_kazakh_mobile_becomes_e164(typed):
    assert normalize_phone(typed) == "+77011234567"


def test_a_foreign_number_keeps_its_country():
    assert normalize_phone("+7 495 123 45 67") == "+74951234567"
    assert normalize_phone("+49 30 901820") == "+4930901820"


@pytest.mark.parametrize("typed", ["", "   ", "123", "hello", "+7 000 000 00 00"])
def test_text_that_is_not_a_number_is_refused(typed):
    with pytest.raises(ValidationError):
        normalize_phone(typed)


def test_search_text_is_read_as_a_number_only_when_mostly_digits():
    assert looks_like_phone("8 (701) 123-45")
    assert not looks_like_phone("Алтын Дала")
    assert not looks_like_phone("ТОО 12")


def test_numbers_are_shown_grouped():
    assert format_phone("+77011234567") == "+7 701 123 4567"


def test_money_is_grouped_with_the_currency_sign():
    from decimal import Decimal

    assert format_money(Decimal("84500"), "KZT") == "84\u00a0500\u00a0₸"
    assert format_money(Decimal("1234567.5"), "KZT") == "1\u00a0234\u00a0567,50\u00a0₸"
    assert format_money(Decimal("-10"), "RUB") == "−10\u00a0₽"


def test_sqlite_like_folds_cyrillic_and_kazakh_case():
    from callpulse.core.sqlite import unicode_like

    assert unicode_like("%ключ%", "АО Ключевой", "\\")
    assert unicode_like("%ӘЛЕМ%", "ТОО Әлем", "\\")
    assert unicode_like("100\\%", "100%", "\\")
    assert not unicode_like("100\\%", "1000", "\\")
    assert unicode_like("a_c", "ABC")
    assert unicode_like(None, "x") is None
