"""Staff screens: the start page and who is in right now."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from callpulse.core.models import Department
from callpulse.core.roles import STAFF_DIRECTORY, user_has_role
from callpulse.core.selectors import users_with_presence


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: who I am, my roles, my absences, where to go next."""
    return render(request, "core/home.html", {"now": timezone.now()})


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
        },
    )
