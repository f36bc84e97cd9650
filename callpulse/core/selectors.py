"""Reads of staff data: who is available, who is away, the team roster."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from callpulse.core.models import Absence, Department, Mentorship, Notification, Team, User


def absences_overlapping(
    *, user: User, starts_at: datetime, ends_at: datetime
) -> QuerySet[Absence]:
    """The user's absences that share any moment with [starts_at, ends_at)."""
    return Absence.objects.filter(user=user, starts_at__lt=ends_at, ends_at__gt=starts_at)


def absences_at(at: datetime) -> QuerySet[Absence]:
    """Absences in force at the moment `at`."""
    return Absence.objects.filter(starts_at__lte=at, ends_at__gt=at)


def users_available(
    *,
    at: datetime,
    role: str | None = None,
    department: Department | int | None = None,
) -> QuerySet[User]:
    """Active staff of a role and/or department who are not away at the moment `at`.

    This is the one answer to "who can take this now"; routing and cover build on it.
    """
    users = User.objects.filter(is_active=True)
    if role is not None:
        users = users.filter(roles__code=role)
    if department is not None:
        users = users.filter(department=department)
    away = absences_at(at).filter(user=OuterRef("pk"))
    return (
        users.filter(~Exists(away))
        .select_related("department", "team")
        .prefetch_related("roles")
        .order_by("full_name", "username")
    )


def user_absence_at(*, user: User, at: datetime) -> Absence | None:
    """The absence that keeps the user away at `at`, if any (with the colleague covering)."""
    return absences_at(at).filter(user=user).select_related("covered_by").first()


def users_with_presence(
    *, at: datetime, department: Department | int | None = None
) -> QuerySet[User]:
    """Staff with `current_absences` (a list, empty when they are in) attached for moment `at`."""
    users = User.objects.filter(is_active=True)
    if department is not None:
        users = users.filter(department=department)
    return users.select_related("department", "team").prefetch_related(
        "roles",
        Prefetch(
            "absences",
            queryset=absences_at(at).select_related("covered_by"),
            to_attr="current_absences",
        ),
    )


def users_for_directory() -> QuerySet[User]:
    """Staff as the users API lists them, with everything it shows fetched up front."""
    return User.objects.select_related("department", "team").prefetch_related("roles")


def user_standing_in_for(*, user: User, at: datetime) -> tuple[User, Absence | None]:
    """Who acts for `user` at `at`: the colleague covering an absence (the one the client card
    names), else the user. Returns the absence too, so a message can say why."""
    absence = user_absence_at(user=user, at=at)
    if absence is not None and absence.covered_by is not None and absence.covered_by.is_active:
        return absence.covered_by, absence
    return user, absence


def notifications_of(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's inbox, newest first."""
    notifications = Notification.objects.filter(recipient=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-pk")


def notifications_unread_count(user: User) -> int:
    """The number on the top bar: one indexed count (recipient, read_at)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def absences_not_over(*, at: datetime) -> QuerySet[Absence]:
    """Absences running at `at` or still to come, soonest first (the supervisors' list)."""
    return (
        Absence.objects.filter(ends_at__gt=at)
        .select_related("user", "covered_by", "user__department")
        .order_by("starts_at", "pk")
    )


def team_mentorships(team: Team) -> QuerySet[Mentorship]:
    """The mentorships of the team's trainees, running ones first."""
    return (
        Mentorship.objects.filter(trainee__team=team)
        .select_related("mentor", "trainee")
        .order_by(F("ended_on").desc(nulls_first=True), "-starts_on")
    )
