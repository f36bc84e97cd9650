"""Template filters shared by every screen: money and phone numbers."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString

from callpulse.core.money import format_money, format_money_short
from callpulse.core.phones import format_phone

register = template.Library()


@register.filter
def money(amount: Decimal | None) -> str:
    return format_money(amount, settings.CALLPULSE_CURRENCY)


@register.filter
def money_short(amount: Decimal | None) -> SafeString | str:
    """Money in a table cell: over a million without tiyn, the exact amount on hover (title)."""
    short = format_money_short(amount, settings.CALLPULSE_CURRENCY)
    exact = format_money(amount, settings.CALLPULSE_CURRENCY)
    if short == exact:
        return exact
    return format_html('<span class="money-short" title="{}">{}</span>', exact, short)


@register.filter
def phone(number: str) -> str:
    return format_phone(number)
