"""Template filters for times that must say whose clock and which day they mean.

A due time without its date reads as "today" (a callback due 10:00 tomorrow is not overdue), and
a client's local time shown on the center's clock misleads whoever is about to call them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def due(moment: datetime | None) -> str:
    """A moment on the viewer's clock: the time alone today, with the date on any other day."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    today = timezone.localdate()
    if local.date() == today:
        return date_format(local, "H:i")
    if local.year == today.year:
        return date_format(local, "d.m H:i")
    return date_format(local, "d.m.Y H:i")


@register.filter
def clock_in(moment: datetime | None, zone: str | None) -> str:
    """The time of `moment` on the clock of time zone `zone` (a client's), "HH:MM".

    Not Django's `time` filter alone: that converts to the viewer's zone first.
    """
    if moment is None:
        return ""
    try:
        tz = ZoneInfo(zone) if zone else timezone.get_current_timezone()
    except (ZoneInfoNotFoundError, ValueError):
        tz = timezone.get_current_timezone()
    return moment.astimezone(tz).strftime("%H:%M")


@register.filter
def hours_minutes(minutes: float | int | Decimal | None) -> str:
    """A duration given in minutes as people say it: "1 h 05 min", "25 min", "under a minute"."""
    if minutes is None:
        return "—"
    total = round(float(minutes))
    if total < 1:
        return _("under a minute") if float(minutes) > 0 else _("%(minutes)d min") % {"minutes": 0}
    hours, rest = divmod(total, 60)
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": rest}
    return _("%(minutes)d min") % {"minutes": rest}
