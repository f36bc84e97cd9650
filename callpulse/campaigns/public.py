"""The website's "call me back" request: validation, abuse rules, and the callback it becomes.

Abuse rules, in order: a filled honeypot is accepted and dropped (a bot learns nothing);
more than CALLPULSE_CALLBACK_FORM_PER_IP requests from one address per hour, or
CALLPULSE_CALLBACK_FORM_PER_NUMBER for one number per day, are refused (429); a number on the
do-not-call list is accepted and dropped; a second request for a number with an open callback
is merged into it. Counters live in Django's cache (LocMem by default, Redis in production).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from callpulse.core.phones import normalize_phone
from callpulse.crm.models import Client
from callpulse.crm.selectors import client_find_by_phone
from callpulse.telephony import services as telephony
from callpulse.telephony.models import Callback


class RateLimited(Exception):
    """Too many requests: the answer is 429 with this message (under `field`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class CallbackRequest:
    name: str
    phone: str
    window_from: str  # local date-time as the form sends it: 2026-11-24T10:00
    window_to: str
    timezone: str = ""  # the browser's IANA zone
    topic: str = ""
    honeypot: str = ""


@dataclass(frozen=True)
class RequestOutcome:
    """What happened to a request; the public answer is the same whatever was done."""

    callback: Callback | None
    merged: bool = False
    dropped: str = ""  # "honeypot" or "do_not_call" when silently dropped


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def center_hours() -> tuple[time, time]:
    """The hours the center calls back, on the center's clock (CALLPULSE_CENTER_HOURS)."""
    opens, closes = _setting("CALLPULSE_CENTER_HOURS", ("09:00", "20:00"))
    return telephony.parse_hhmm(str(opens)), telephony.parse_hhmm(str(closes))


def _over_limit(key: str, limit: int, seconds: int) -> bool:
    """Count one more hit in a fixed window; True when the limit is passed."""
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count > limit


def _zone(name: str, client: Client | None) -> ZoneInfo:
    if name and name in zoneinfo.available_timezones():
        return ZoneInfo(name)
    if client is not None:
        return ZoneInfo(client.timezone)
    return ZoneInfo(settings.TIME_ZONE)


def _moment(raw: str, zone: ZoneInfo) -> datetime | None:
    parsed = parse_datetime(raw.strip()) if raw and raw.strip() else None
    if parsed is None:
        return None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def _validate(
    data: CallbackRequest, now: datetime
) -> tuple[str, Client | None, ZoneInfo, datetime, datetime]:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = _("Tell us your name.")
    elif len(name) > 120:
        errors["name"] = _("At most 120 characters.")
    if len(data.topic) > 255:
        errors["topic"] = _("At most 255 characters.")
    phone = ""
    try:
        phone = normalize_phone(data.phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
    client = client_find_by_phone(phone) if phone else None
    if data.timezone and data.timezone not in zoneinfo.available_timezones():
        errors["timezone"] = _("Unknown time zone.")
    zone = _zone(data.timezone, client)
    start, end = _moment(data.window_from, zone), _moment(data.window_to, zone)
    if start is None:
        errors["window_from"] = _("When may we call? Give a date and time.")
    if end is None:
        errors["window_to"] = _("Until when may we call? Give a date and time.")
    if start is not None and end is not None:
        lead = timedelta(minutes=int(_setting("CALLPULSE_CALLBACK_FORM_LEAD_MINUTES", 15)))
        days = int(_setting("CALLPULSE_CALLBACK_FORM_DAYS_AHEAD", 14))
        opens, closes = center_hours()
        center = ZoneInfo(settings.TIME_ZONE)
        c_start, c_end = start.astimezone(center), end.astimezone(center)
        if end <= start:
            errors["window_to"] = _("The end of the window must be after its start.")
        elif end < now + lead:
            errors["window_to"] = _("Choose a time in the future.")
        elif start > now + timedelta(days=days):
            errors["window_from"] = _("Choose a time within %(days)d days.") % {"days": days}
        elif (
            c_start.date() != c_end.date()
            or not opens <= c_start.time() <= closes
            or not opens <= c_end.time() <= closes
        ):
            day = c_start.date()
            local_open = datetime.combine(day, opens, tzinfo=center).astimezone(zone)
            local_close = datetime.combine(day, closes, tzinfo=center).astimezone(zone)
            errors["window_from"] = _(
                "We call back between %(open)s and %(close)s your time (%(zone)s)."
            ) % {
                "open": local_open.strftime("%H:%M"),
                "close": local_close.strftime("%H:%M"),
                "zone": zone.key,
            }
    if errors:
        raise ValidationError(errors)
    assert start is not None and end is not None
    return phone, client, zone, start, end


@transaction.atomic
def callback_request_submit(
    *, data: CallbackRequest, ip: str, now: datetime | None = None
) -> RequestOutcome:
    """A website visitor asks to be called back; becomes (or joins) an open callback."""
    moment = now or timezone.now()
    if data.honeypot.strip():
        return RequestOutcome(callback=None, dropped="honeypot")
    per_ip = int(_setting("CALLPULSE_CALLBACK_FORM_PER_IP", 10))
    if _over_limit(f"cbform:ip:{ip}", per_ip, 3600):
        raise RateLimited("detail", _("Too many requests from your network; try again later."))
    phone, client, zone, start, end = _validate(data, moment)
    per_number = int(_setting("CALLPULSE_CALLBACK_FORM_PER_NUMBER", 3))
    if _over_limit(f"cbform:number:{phone}", per_number, 86400):
        raise RateLimited(
            "phone", _("We already have your request for this number; we will call you.")
        )
    if telephony.number_is_do_not_call(phone):
        return RequestOutcome(callback=None, dropped="do_not_call")
    callback, created = telephony.callback_request_upsert(
        phone=phone,
        due_at=max(start, moment),
        client=client,
        name=data.name.strip(),
        topic=data.topic.strip(),
        window_start=start,
        window_end=end,
        client_timezone=zone.key,
    )
    return RequestOutcome(callback=callback, merged=not created)
