"""The client's history on the card: calls, orders, callbacks, campaign contacts and remarks.

A selector of its own (the card's other reads are in `selectors.py`): it reads other apps'
records, each through the rule that says who may see them, and merges them newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.db.models.functions import Coalesce

from callpulse.core.roles import CALLBACK_HISTORY_READERS, CALLBACK_QUEUE_READERS, user_has_role

if TYPE_CHECKING:
    from callpulse.core.models import User
    from callpulse.crm.models import Client

HISTORY_FIRST = 20  # entries shown at first; "show more" adds as many again
HISTORY_MAX = 500  # the most one page shows (beyond it, the orders list and reports)


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened with the client: `kind` says which template row shows `item`."""

    at: datetime
    kind: str  # call, order, callback, campaign, remark
    item: Any

    @property
    def recording_url(self) -> str:
        """A call's recording, when it is a web address the browser may open."""
        url = getattr(self.item, "recording_url", "") if self.kind == "call" else ""
        return url if url.startswith(("https://", "http://")) else ""


@dataclass(frozen=True)
class ClientHistory:
    entries: list[HistoryEntry]
    has_more: bool
    limit: int

    @property
    def next_limit(self) -> int:
        return min(self.limit + HISTORY_FIRST, HISTORY_MAX)


def client_history(*, client: Client, viewer: User, limit: int = HISTORY_FIRST) -> ClientHistory:
    """The newest `limit` entries of every kind, merged newest first.

    Orders through `orders_visible_to` (someone else's order is never listed to those who may
    not open it); callbacks as the callback screens show them (the open ones to those who read
    the queue, closed ones to their readers or to the operator who handled them).
    """
    from callpulse.campaigns.models import CampaignAttempt
    from callpulse.orders.permissions import orders_visible_to
    from callpulse.telephony.models import Call, Callback, CallbackStatus, ClientRemark

    limit = max(1, min(limit, HISTORY_MAX))
    take = limit + 1  # one more than shown from each source: is there more?
    entries: list[HistoryEntry] = []

    calls = (
        Call.objects.filter(client=client)
        .select_related("operator")
        .annotate(happened_at=Coalesce("ringing_at", "created_at"))
        .order_by("-happened_at", "-pk")[:take]
    )
    entries += [HistoryEntry(c.happened_at, "call", c) for c in calls]

    orders = (
        orders_visible_to(viewer)
        .filter(client=client)
        .select_related("taken_by")
        .order_by("-created_at", "-pk")[:take]
    )
    entries += [HistoryEntry(o.created_at, "order", o) for o in orders]

    readable = Q(pk__in=[])
    if user_has_role(viewer, CALLBACK_QUEUE_READERS):
        readable |= Q(status=CallbackStatus.OPEN)
    if user_has_role(viewer, CALLBACK_HISTORY_READERS):
        readable |= ~Q(status=CallbackStatus.OPEN)
    else:
        readable |= ~Q(status=CallbackStatus.OPEN) & Q(assigned_to=viewer)
    callbacks = (
        Callback.objects.filter(client=client)
        .filter(readable)
        .select_related("assigned_to")
        .order_by("-created_at", "-pk")[:take]
    )
    entries += [HistoryEntry(c.created_at, "callback", c) for c in callbacks]

    attempts = (
        CampaignAttempt.objects.filter(record__client=client)
        .select_related("record__campaign", "disposition", "operator")
        .order_by("-started_at", "-pk")[:take]
    )
    entries += [HistoryEntry(a.started_at, "campaign", a) for a in attempts]

    remarks = (
        ClientRemark.objects.filter(client=client)
        .select_related("department", "created_by")
        .order_by("-created_at", "-pk")[:take]
    )
    entries += [HistoryEntry(r.created_at, "remark", r) for r in remarks]

    entries.sort(key=lambda entry: entry.at, reverse=True)
    return ClientHistory(entries=entries[:limit], has_more=len(entries) > limit, limit=limit)
