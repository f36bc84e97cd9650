"""Admin for staff data; team membership goes through the service so the size bounds hold."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from callpulse.core import services
from callpulse.core.login_throttle import ThrottledAdminAuthenticationForm
from callpulse.core.models import (
    Absence,
    AuditEntry,
    Department,
    Mentorship,
    Notification,
    Role,
    ServiceToken,
    Team,
    User,
)
from callpulse.core.roles import RoleCode


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "full_name",
        "department",
        "team",
        "extension",
        "is_key_account_manager",
        "is_active",
    )
    list_filter = ("roles", "department", "team", "is_key_account_manager", "is_active", "is_staff")
    search_fields = ("username", "full_name", "email", "extension")
    filter_horizontal = ("roles", "groups", "user_permissions")
    readonly_fields = ("team",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal details"), {"fields": ("full_name", "email", "mobile_phone")}),
        (
            _("Employment"),
            {"fields": ("roles", "department", "team", "extension", "is_key_account_manager")},
        ),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "full_name", "password1", "password2")},
        ),
    )


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin[Role]):
    list_display = ("code", "__str__")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the roles are fixed; their rows come from a migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("name", "code", "head")
    search_fields = ("name", "code")
    autocomplete_fields = ("head",)


class TeamForm(forms.ModelForm[Team]):
    operators = forms.ModelMultipleChoiceField(
        label=_("operators"),
        queryset=User.objects.filter(roles__code=RoleCode.OPERATOR, is_active=True),
        required=False,
        widget=FilteredSelectMultiple(_("operators"), is_stacked=False),
    )

    class Meta:
        model = Team
        fields = ["name", "department", "supervisor", "operators"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["operators"].initial = list(self.instance.members.all())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        supervisor = cleaned.get("supervisor")
        if supervisor is not None and RoleCode.SUPERVISOR not in supervisor.role_codes:
            self.add_error("supervisor", _("This person is not a supervisor."))
        try:
            services._check_team_size(list(cleaned.get("operators") or []))
        except ValidationError as exc:
            for message in exc.message_dict.get("operators", []):
                self.add_error("operators", message)
        return cleaned


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    form = TeamForm
    list_display = ("name", "department", "supervisor")

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.team_set_operators(
            team=form.instance, operators=list(form.cleaned_data["operators"])
        )


@admin.register(Mentorship)
class MentorshipAdmin(admin.ModelAdmin[Mentorship]):
    list_display = ("mentor", "trainee", "starts_on", "probation_ends_on", "ended_on")
    autocomplete_fields = ("mentor", "trainee")


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin[Absence]):
    list_display = ("user", "kind", "starts_at", "ends_at", "covered_by")
    list_filter = ("kind",)
    date_hierarchy = "starts_at"
    autocomplete_fields = ("user", "covered_by")
    search_fields = ("user__full_name", "user__username")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("at", "actor", "action", "target_type", "target_id")
    list_filter = ("action",)
    readonly_fields = ("at", "actor", "action", "target_type", "target_id", "changes")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceToken)
class ServiceTokenAdmin(admin.ModelAdmin[ServiceToken]):
    list_display = ("name", "scopes", "is_active", "last_used_at")
    readonly_fields = ("key", "created_at", "last_used_at")

    def save_model(self, request: HttpRequest, obj: ServiceToken, form: Any, change: bool) -> None:
        if not obj.key:
            import secrets

            obj.key = secrets.token_urlsafe(36)
        super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind", "read_at")
    raw_id_fields = ("recipient",)


# The admin's sign-in goes through the same lockout as the product's (core/login_throttle.py).
admin.site.login_form = ThrottledAdminAuthenticationForm
