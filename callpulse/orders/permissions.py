"""Who may see, change, cancel and override an order: one rule for the screens and the API.

The role sets come from `callpulse.core.roles`; what this module adds is the order's own people:
the operator who took it, the client's account manager, and whoever it was handed off to. The
services call `ensure_*` before every change; the screens and the API read through
`orders_visible_to`, so an order a user may not see answers 404 on both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from callpulse.core.roles import (
    CATALOG_EDITORS,
    CREDIT_OVERRIDERS,
    ORDER_PICKERS,
    ORDER_READERS_ALL,
    ORDER_SUPERVISORS,
    ORDER_TAKERS,
    user_has_role,
)
from callpulse.orders.models import HandOff, Order, OrderStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from callpulse.core.models import User


def orders_visible_to(user: User | AnonymousUser) -> QuerySet[Order]:
    """The orders this user may open: all for the readers of all, otherwise their own people's."""
    if not user.is_authenticated or not user.is_active:
        return Order.objects.none()
    if user_has_role(user, ORDER_READERS_ALL):
        return Order.objects.all()
    handed_to_user = HandOff.objects.filter(order=OuterRef("pk"), assignee=user)
    return Order.objects.filter(Q(taken_by=user) | Q(client__manager=user) | Exists(handed_to_user))


def _is_own_person(user: User, order: Order) -> bool:
    """The taker, the client's manager, or the assignee of a hand-off of this order."""
    if order.taken_by_id == user.pk or order.client.manager_id == user.pk:
        return True
    return HandOff.objects.filter(order=order, assignee=user).exists()


def may_see(user: User | AnonymousUser, order: Order) -> bool:
    return orders_visible_to(user).filter(pk=order.pk).exists()


def may_change(user: User, order: Order) -> bool:
    """Lines, offers, terms, hand-off, acceptance of a draft or handed-off order."""
    if user_has_role(user, ORDER_SUPERVISORS):
        return True
    if user_has_role(user, CREDIT_OVERRIDERS) and order.status == OrderStatus.HANDED_OFF:
        return True  # finance works the orders handed to it
    return user_has_role(user, ORDER_TAKERS | CREDIT_OVERRIDERS) and _is_own_person(user, order)


def may_cancel(user: User, order: Order) -> bool:
    """A draft: whoever may change it. An accepted (or picked) order gives credit back: heads
    and finance, the client's manager, or the operator who took it."""
    if order.status in (OrderStatus.ACCEPTED, OrderStatus.PICKED):
        if user_has_role(user, ORDER_SUPERVISORS | CREDIT_OVERRIDERS):
            return True
        return user_has_role(user, ORDER_TAKERS) and (
            order.taken_by_id == user.pk or order.client.manager_id == user.pk
        )
    return may_change(user, order)


def may_override_credit(user: User | AnonymousUser) -> bool:
    return user_has_role(user, CREDIT_OVERRIDERS)


# After acceptance: who moves the order along (picked → shipped → delivered). The screens show a
# step's button only to those who may take it; the services refuse everyone else.
def may_pick(user: User | AnonymousUser) -> bool:
    return user_has_role(user, ORDER_PICKERS)


def may_ship(user: User | AnonymousUser) -> bool:
    """Shipping raises the invoice (the amount moves from open orders to debt)."""
    return user_has_role(user, CATALOG_EDITORS | CREDIT_OVERRIDERS)


def may_deliver(user: User | AnonymousUser) -> bool:
    """Delivery is confirmed by whoever ships, or by the takers who hear it from the client."""
    return user_has_role(user, CATALOG_EDITORS | CREDIT_OVERRIDERS | ORDER_TAKERS)


def ensure_may_change(user: User, order: Order) -> None:
    if not may_change(user, order):
        raise PermissionDenied(
            _("This order is %(taker)s's: only they, the client's manager or a head may change it.")
            % {"taker": order.taken_by}
        )


def ensure_may_cancel(user: User, order: Order) -> None:
    if not may_cancel(user, order):
        raise PermissionDenied(
            _("This order is %(taker)s's: only they, the client's manager or a head may cancel it.")
            % {"taker": order.taken_by}
        )
