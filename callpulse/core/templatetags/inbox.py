"""The inbox link of the top bar, with its unread count (one indexed query per page)."""

from __future__ import annotations

from typing import Any

from django import template

from callpulse.core.models import User
from callpulse.core.selectors import notifications_unread_count

register = template.Library()


@register.inclusion_tag("core/_inbox_link.html", takes_context=True)
def inbox_link(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {"show": False}
    return {"show": True, "unread": notifications_unread_count(user)}
