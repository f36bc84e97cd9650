"""Issue 14, item 10: short money in tables, and number fields in the reader's language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from callpulse.core.formfields import LocalizedDecimalField, LocalizedFloatField
from callpulse.core.money import format_money_short

NB = "\u00a0"


def test_money_over_a_million_drops_the_tiyn_rounding_half_up():
    assert format_money_short(Decimal("215287540.21"), "KZT") == f"215{NB}287{NB}540{NB}₸"
    assert format_money_short(Decimal("1000000.50"), "KZT") == f"1{NB}000{NB}001{NB}₸"
    assert format_money_short(Decimal("-2500000.49"), "KZT") == f"−2{NB}500{NB}000{NB}₸"
    assert format_money_short(Decimal("999999.99"), "KZT") == f"999{NB}999,99{NB}₸"
    assert format_money_short(None, "KZT") == ""


def test_the_table_filter_keeps_the_exact_amount_in_the_title():
    template = Template("{% load callpulse %}{{ a|money_short }}|{{ b|money_short }}")
    html = template.render(Context({"a": Decimal("215287540.21"), "b": Decimal("84500.5")}))
    big, small = html.split("|")
    assert big == (
        f'<span class="money-short" title="215{NB}287{NB}540,21{NB}₸">215{NB}287{NB}540{NB}₸</span>'
    )
    assert small == f"84{NB}500,50{NB}₸"


class NumbersForm(forms.Form):
    amount = LocalizedDecimalField(max_digits=14, decimal_places=2)
    share = LocalizedFloatField()


@pytest.mark.parametrize(
    ("language", "amount", "share"),
    [
        ("ru", f"215{NB}287{NB}540,21", "0,85"),
        ("kk", f"215{NB}287{NB}540,21", "0,85"),
        ("en", "215,287,540.21", "0.85"),
    ],
)
def test_number_fields_show_the_languages_separators_and_read_them_back(language, amount, share):
    with translation.override(language):
        shown = NumbersForm(initial={"amount": Decimal("215287540.21"), "share": 0.85})
        html = str(shown["amount"])
        assert f'value="{amount}"' in html and 'inputmode="decimal"' in html
        assert f'value="{share}"' in str(shown["share"])
        typed = NumbersForm({"amount": amount, "share": share})
        assert typed.is_valid(), typed.errors
        assert typed.cleaned_data == {"amount": Decimal("215287540.21"), "share": 0.85}


def test_russian_reads_plain_and_space_grouped_numbers():
    with translation.override("ru"):
        for text in ("215287540.21", "215 287 540,21", "215\u202f287\u202f540,21"):
            form = NumbersForm({"amount": text, "share": "1"})
            assert form.is_valid(), (text, form.errors)
            assert form.cleaned_data["amount"] == Decimal("215287540.21")
