"""Template filters shared by every screen: money and phone numbers."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings

from callpulse.core.money import format_money
from callpulse.core.phones import format_phone

register = template.Library()


@register.filter
def money(amount: Decimal | None) -> str:
    return format_money(amount, settings.CALLPULSE_CURRENCY)


@register.filter
def phone(number: str) -> str:
    return format_phone(number)
