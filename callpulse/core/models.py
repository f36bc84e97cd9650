"""Staff of the center: users with roles, departments, teams, mentors, absences, audit."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from callpulse.core.names import STANDARD_DEPARTMENTS, name_by_code
from callpulse.core.roles import RoleCode
from callpulse.core.validators import validate_single_line


class Role(models.Model):
    """One of the fixed roles of PRODUCT.md; rows are created by a migration."""

    code = models.CharField(_("code"), max_length=32, choices=RoleCode.choices, unique=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(self.get_code_display())


class Department(models.Model):
    """A department of the company (wholesale, retail, regional, service desk…); editable."""

    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Stable key used by routing rules.")
    )
    name = models.CharField(
        _("name"), max_length=120, unique=True, validators=[validate_single_line]
    )
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language while it is the seeded one (see core.names)."""
        return name_by_code(self.name, self.code, STANDARD_DEPARTMENTS)


class User(AbstractUser):
    """A member of staff. Holds any number of roles."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text=_("The team an operator works in."),
    )
    extension = models.CharField(
        _("phone extension"), max_length=16, unique=True, null=True, blank=True
    )
    is_key_account_manager = models.BooleanField(_("key-account manager"), default=False)
    mobile_phone = models.CharField(_("mobile phone"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()

    @cached_property
    def role_codes(self) -> frozenset[str]:
        """The user's role codes; uses prefetched roles when the queryset has them."""
        return frozenset(role.code for role in self.roles.all())


class Team(models.Model):
    """A supervisor and their operators (3-20 by default; see CALLPULSE_TEAM_* settings)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        related_name="supervised_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Mentorship(models.Model):
    """A mentor guiding a trainee through probation."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor"),
        on_delete=models.PROTECT,
        related_name="mentorships",
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.CASCADE,
        related_name="mentored_by",
    )
    starts_on = models.DateField(_("starts on"))
    probation_ends_on = models.DateField(_("probation ends on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=F("trainee")), name="mentorship_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.trainee}"


class AbsenceKind(models.TextChoices):
    VACATION = "vacation", _("Vacation")
    SICK_LEAVE = "sick_leave", _("Sick leave")
    BUSINESS_TRIP = "business_trip", _("Business trip")
    DAY_OFF = "day_off", _("Day off")


class Absence(models.Model):
    """Time a colleague is away, [starts_at, ends_at), and who covers for them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AbsenceKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    covered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("covered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="covering_absences",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["user", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="absence_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(covered_by=F("user")), name="absence_not_covered_by_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"


class AuditEntry(models.Model):
    """Who changed what, and how: credit limits, absences, overrides."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(_("target type"), max_length=80)
    target_id = models.CharField(_("target id"), max_length=40)
    changes: models.JSONField[Any, Any] = models.JSONField(_("changes"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"


class ServiceToken(models.Model):
    """A machine's key (the phone system, the website form): scoped, revocable, not a person."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    key = models.CharField(_("key"), max_length=64, unique=True)
    scopes = models.CharField(
        _("scopes"), max_length=200, help_text=_("Comma-separated, e.g. cti, callbacks.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service token")
        verbose_name_plural = _("service tokens")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.scopes.split(",") if s.strip())


class NotificationKind(models.TextChoices):
    """What a notification is about: the inbox shows it as a tag and filters by it."""

    MESSAGE = "message", _("Message")
    ORDER = "order", _("Order")
    HAND_OFF = "hand_off", _("Hand-off")
    REMARK = "remark", _("Client remark")
    NEW_CLIENT = "new_client", _("Assign a manager")
    ASSIGNMENT = "assignment", _("Assignment")


class Notification(models.Model):
    """A message to one member of staff in the app (and by e-mail where the sender asks)."""

    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=NotificationKind.choices,
        default=NotificationKind.MESSAGE,
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title
