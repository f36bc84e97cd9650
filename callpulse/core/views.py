"""Staff screens: the start page and who is in right now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from callpulse.core import services
from callpulse.core.models import Department, Notification
from callpulse.core.permissions import staff_user_from
from callpulse.core.roles import ABSENCE_EDITORS, STAFF_DIRECTORY, TEAM_MANAGERS, user_has_role
from callpulse.core.selectors import (
    notifications_of,
    notifications_unread_count,
    users_with_presence,
)
from callpulse.core.today import today_blocks

INBOX_PAGE_SIZE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: my day as my roles make it (`core.today`), and the client search."""
    now = timezone.now()
    blocks = today_blocks(staff_user_from(request), at=now)
    return render(request, "core/home.html", {"now": now, "blocks": blocks})


@login_required
def staff_presence(request: HttpRequest) -> HttpResponse:
    """Who of the staff is in now and who is away (and who covers), by department."""
    if not user_has_role(request.user, STAFF_DIRECTORY):
        raise PermissionDenied
    raw_department = request.GET.get("department", "")
    department_id = int(raw_department) if raw_department.isdigit() else None
    staff = users_with_presence(at=timezone.now(), department=department_id)
    return render(
        request,
        "core/presence.html",
        {
            "staff": staff,
            "departments": Department.objects.all(),
            "department_id": department_id,
            "may_edit_absences": user_has_role(request.user, ABSENCE_EDITORS),
            "may_manage_teams": user_has_role(request.user, TEAM_MANAGERS),
        },
    )


# --- the inbox ---------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """My notifications, newest first: orders, hand-offs, remarks, clients to assign."""
    user = staff_user_from(request)
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(notifications_of(user, unread_only=unread_only), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread_count": notifications_unread_count(user),
    }
    template = "core/_inbox_list.html" if request.htmx else "core/inbox.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_GET
def inbox_count(request: HttpRequest) -> JsonResponse:
    """The unread count alone, for the top bar to refresh cheaply."""
    response = JsonResponse({"unread": notifications_unread_count(staff_user_from(request))})
    response["Cache-Control"] = "no-store"
    return response


def _own_notification(request: HttpRequest, notification_id: int) -> Notification:
    """One of my notifications; a colleague's answers 404, as if it did not exist."""
    return get_object_or_404(Notification, pk=notification_id, recipient=staff_user_from(request))


@login_required
@require_POST
def inbox_mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one read; htmx gets the row back and tells the top bar to count again."""
    notification = services.notification_mark_read(
        actor=staff_user_from(request), notification=_own_notification(request, notification_id)
    )
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, "core/_inbox_item.html", {"note": notification})
        response["HX-Trigger"] = "inbox-changed"
        return response
    return redirect("inbox")


@login_required
@require_POST
def inbox_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification to what it is about, marking it read on the way."""
    notification = services.notification_mark_read(
        actor=staff_user_from(request), notification=_own_notification(request, notification_id)
    )
    target = notification.link
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("inbox")


@login_required
@require_POST
def inbox_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=staff_user_from(request))
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("inbox")
