"""Money helpers: amounts are Decimal; shown grouped, with the currency sign."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CURRENCY_SIGNS = {"KZT": "₸", "RUB": "₽", "USD": "$", "EUR": "€"}
CENT = Decimal("0.01")


def quantize(amount: Decimal) -> Decimal:
    """Round to cents, half up, as accountants do."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | int | None, currency: str) -> str:
    """84500 → '84 500 ₸' (no-break spaces); cents shown only when there are any."""
    if amount is None:
        return ""
    value = quantize(Decimal(amount))
    sign = "−" if value < 0 else ""
    whole, _, cents = f"{abs(value):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = "\u00a0".join(groups)
    if cents != "00":
        text += "," + cents
    return f"{sign}{text}\u00a0{CURRENCY_SIGNS.get(currency, currency)}"


SHORT_FROM = Decimal("1000000")
WHOLE = Decimal("1")


def format_money_short(amount: Decimal | int | None, currency: str) -> str:
    """For table cells: from a million up the tiyn are noise and widen the column, so they go.

    215287540.21 → '215 287 540 ₸' (rounded half up); smaller amounts as `format_money`.
    Callers that drop the tiyn show the exact `format_money` on hover; exports never use this.
    """
    if amount is None:
        return ""
    value = Decimal(amount)
    if abs(value) < SHORT_FROM:
        return format_money(value, currency)
    return format_money(value.quantize(WHOLE, rounding=ROUND_HALF_UP), currency)
