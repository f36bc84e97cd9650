"""Filters for the workforce screens: engine codes as human labels, shares as percent numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.template.defaultfilters import floatformat

from callpulse.workforce import labels

register = template.Library()


@register.filter
def method_label(code: str) -> str:
    """`{{ job.result.method|method_label }}`: "Holt-Winters", not "holt_winters"."""
    return labels.method_label(str(code or ""))


@register.filter
def solver_label(code: str) -> str:
    return labels.solver_status_label(str(code or ""))


@register.filter
def percent(share: float | None, digits: int = 0) -> str:
    """A share (0.8) as a localized percent number ("80"); the template appends the sign."""
    if share is None:
        return "—"
    return str(floatformat(float(share) * 100, f"-{int(digits)}g"))


@dataclass(frozen=True)
class Measure:
    label: str
    share: bool  # shown in percent; otherwise seconds
    mean: float | None
    low: float | None
    high: float | None


@register.filter
def measures(overall: dict[str, Any] | None) -> list[Measure]:
    """A simulation's whole-horizon `{code: [mean, low, high]}` as labelled measures."""
    found = []
    for code, values in (overall or {}).items():
        mean, low, high = [*values, None, None, None][:3]
        found.append(
            Measure(labels.metric_label(code), labels.metric_is_share(code), mean, low, high)
        )
    return found
