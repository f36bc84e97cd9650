"""Human labels for the codes the planning engine stores (forecast methods, simulation measures,
solver statuses): screens show these, never the codes."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

FORECAST_METHODS: dict[str, Promise] = {
    "seasonal_naive": _("Seasonal naive (same slot last week)"),
    "slot_mean": _("Mean of recent same weekday-slots"),
    "holt_winters": _("Holt-Winters"),
    "mstl": _("Multi-seasonal decomposition"),
}

# Simulation measures: label, and whether the value is a share (shown in percent) or seconds.
METRICS: dict[str, tuple[Promise, bool]] = {
    "service_level": (_("Service level"), True),
    "asa": (_("Average speed of answer"), False),
    "abandon_rate": (_("Abandoned"), True),
    "occupancy": (_("Occupancy"), True),
}

SOLVER_STATUSES: dict[str, Promise] = {
    "optimal": pgettext_lazy("roster solver", "proven best"),
    "feasible": pgettext_lazy("roster solver", "best found in the time limit"),
}


def method_label(code: str) -> str:
    """The forecast method's name for people (the code itself if unknown)."""
    return str(FORECAST_METHODS.get(code, code))


def metric_label(code: str) -> str:
    found = METRICS.get(code)
    return str(found[0]) if found else code


def metric_is_share(code: str) -> bool:
    found = METRICS.get(code)
    return found[1] if found else False


def solver_status_label(code: str) -> str:
    return str(SOLVER_STATUSES.get(code, code))
