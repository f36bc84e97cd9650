"""The website's "call me back" request: validation, abuse rules, and the callback it becomes.

Abuse rules, in order: a filled honeypot is accepted and dropped (a bot learns nothing);
more than CALLPULSE_CALLBACK_FORM_PER_IP requests from one address per hour, or
CALLPULSE_CALLBACK_FORM_PER_NUMBER for one number per day, are refused (429); a number the
center would not dial (premium-rate or shared-cost always; otherwise outside
CALLPULSE_CALLBACK_FORM_COUNTRIES or CALLPULSE_CALLBACK_FORM_NUMBER_TYPES) is refused on `phone`
(400), so the form cannot be used for toll fraud; a number on the do-not-call list is accepted
and dropped; a second request for a number with an open callback is merged into it.

Counters live in Django's default cache: Redis whenever REDIS_URL is set (required in
production), so every worker and server shares them and a restart keeps them; LocMem per process
otherwise. A counter is created with its expiry by `add` and raised by `incr` (INCRBY on Redis),
so two processes cannot both take the last place under the limit.

When the cache cannot be reached the form fails closed: it answers 503 ("try again later")
and stores nothing. The form is anonymous and every request it accepts makes the center place a
call; without the counters nothing stops one address from filling the operators' queue or having
the center dial numbers for someone else, and an outage of the cache is exactly when an attacker
would not be noticed. A visitor loses a minute; the center loses nothing.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache as remembered
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
import redis
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

logger = logging.getLogger(__name__)

# What the cache raises when it cannot be reached (Redis down, timed out, refused).
CACHE_ERRORS: tuple[type[Exception], ...] = (redis.exceptions.RedisError, OSError)

# Numbers that make the caller pay the callee's operator: never dialled, whatever the settings.
NEVER_DIALLED_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.PREMIUM_RATE, phonenumbers.PhoneNumberType.SHARED_COST}
)
DEFAULT_NUMBER_TYPES = ("MOBILE", "FIXED_LINE", "FIXED_LINE_OR_MOBILE")


class RateLimited(Exception):
    """Too many requests: the answer is 429 with this message (under `field`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class LimitsUnavailable(Exception):
    """The abuse counters cannot be read: the answer is 503 with this message (fail closed)."""

    def __init__(self) -> None:
        self.message = _("The form is unavailable for a moment; please try again in a minute.")
        super().__init__(self.message)


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


def _count_hit(key: str, seconds: int) -> int:
    """One more hit in a fixed window that opens with the first; atomic across processes.

    `add` creates the counter with its expiry only when there is none; `incr` is INCRBY on
    Redis. Django's Redis `incr` checks the key exists before INCRBY, so a counter expiring
    in between comes back as 1 with no expiry: `touch` gives it one.
    """
    for _attempt in range(3):
        if cache.add(key, 1, seconds):
            return 1
        try:
            count = int(cache.incr(key))
        except ValueError:  # expired between add and incr: the next window opens
            continue
        if count == 1:
            cache.touch(key, seconds)
        return count
    raise LimitsUnavailable


def _over_limit(key: str, limit: int, seconds: int) -> bool:
    """Count one more hit; True when the limit is passed. Fails closed when the cache is down."""
    try:
        return _count_hit(key, seconds) > limit
    except CACHE_ERRORS:
        logger.exception("The callback form's rate-limit cache cannot be reached.")
        raise LimitsUnavailable from None


@remembered
def _zone_names() -> frozenset[str]:
    """The IANA zones this machine knows (read from disk once: it lists the whole database)."""
    return frozenset(zoneinfo.available_timezones())


def _zone(name: str, client: Client | None) -> ZoneInfo:
    if name and name in _zone_names():
        return ZoneInfo(name)
    if client is not None and client.timezone in _zone_names():
        return ZoneInfo(client.timezone)
    return ZoneInfo(settings.TIME_ZONE)


def _moment(raw: str, zone: ZoneInfo) -> datetime | None:
    """The aware moment a form field names; None when blank.

    Raises ValueError for text that is no real moment: not a date, 30 February, hour 25, a UTC
    offset of a day or more, or a moment at the calendar's edge that UTC cannot hold.
    """
    text = raw.strip()
    if not text:
        return None
    parsed = parse_datetime(text)  # raises ValueError on a well-formed but impossible value
    if parsed is None:
        raise ValueError(text)
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=zone)
    try:
        parsed.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        raise ValueError(text) from exc
    return parsed


def _read_moment(
    data: CallbackRequest, field: str, zone: ZoneInfo, missing: str, errors: dict[str, str]
) -> datetime | None:
    """A window bound, or None with the field's error recorded."""
    raw = str(getattr(data, field))
    try:
        moment = _moment(raw, zone)
    except ValueError:
        errors[field] = _("“%(value)s” is not a real date and time, e.g. 2026-11-24T10:00.") % {
            "value": raw.strip()
        }
        return None
    if moment is None:
        errors[field] = missing
    return moment


def _allowed_countries() -> list[str]:
    default = [settings.CALLPULSE_PHONE_REGION]
    return [str(c).upper() for c in _setting("CALLPULSE_CALLBACK_FORM_COUNTRIES", default)]


def _allowed_number_types() -> set[int]:
    names = _setting("CALLPULSE_CALLBACK_FORM_NUMBER_TYPES", DEFAULT_NUMBER_TYPES)
    return {getattr(phonenumbers.PhoneNumberType, str(n).upper()) for n in names}


def number_refusal(phone: str) -> str:
    """Why the center will not call this E.164 number back ("" when it will): toll fraud.

    Premium-rate and shared-cost numbers are refused whatever the settings; other numbers must
    belong to an allowed country (non-geographic ones such as satellite numbers never do) and be
    of an allowed type. +7 is shared by Kazakhstan and Russia: the number's own range decides.
    """
    number = phonenumbers.parse(phone, None)
    kind = phonenumbers.number_type(number)
    if kind in NEVER_DIALLED_TYPES:
        return _("We do not call premium-rate or shared-cost numbers.")
    countries = _allowed_countries()
    if phonenumbers.region_code_for_number(number) not in countries:
        return _("We can only call back numbers in %(countries)s.") % {
            "countries": ", ".join(countries)
        }
    if kind not in _allowed_number_types():
        return _("We cannot call back this kind of number; give a mobile or landline number.")
    return ""


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
    else:
        refusal = number_refusal(phone)
        if refusal:
            errors["phone"], phone = refusal, ""
    client = client_find_by_phone(phone) if phone else None
    if data.timezone and data.timezone not in _zone_names():
        errors["timezone"] = _("Unknown time zone.")
    zone = _zone(data.timezone, client)
    start = _read_moment(
        data, "window_from", zone, _("When may we call? Give a date and time."), errors
    )
    end = _read_moment(
        data, "window_to", zone, _("Until when may we call? Give a date and time."), errors
    )
    if start is not None and end is not None:
        lead = timedelta(minutes=int(_setting("CALLPULSE_CALLBACK_FORM_LEAD_MINUTES", 15)))
        days = int(_setting("CALLPULSE_CALLBACK_FORM_DAYS_AHEAD", 14))
        opens, closes = center_hours()
        center = ZoneInfo(settings.TIME_ZONE)
        if end <= start:
            errors["window_to"] = _("The end of the window must be after its start.")
        elif end < now + lead:
            errors["window_to"] = _("Choose a time in the future.")
        elif start > now + timedelta(days=days):
            errors["window_from"] = _("Choose a time within %(days)d days.") % {"days": days}
        elif end > now + timedelta(days=days + 1):
            errors["window_to"] = _("Choose a time within %(days)d days.") % {"days": days}
        else:  # both within a few days of now: the center's clock can hold them
            c_start, c_end = start.astimezone(center), end.astimezone(center)
            if (
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


def callback_request_submit(
    *, data: CallbackRequest, ip: str, now: datetime | None = None
) -> RequestOutcome:
    """A website visitor asks to be called back; becomes (or joins) an open callback.

    The counters are kept before the write's transaction opens: no database lock is held while
    the cache is asked. Raises ValidationError (400), RateLimited (429), LimitsUnavailable (503).
    """
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
    with transaction.atomic():
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
