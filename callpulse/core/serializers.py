"""API shapes for staff: users, departments, teams, absences."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from callpulse.core.models import Absence, AbsenceKind, Department, Team, User


class DepartmentSerializer(serializers.ModelSerializer[Department]):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "head"]


class UserSerializer(serializers.ModelSerializer[User]):
    """A colleague as the staff directory shows them (contains personal data)."""

    roles = serializers.SerializerMethodField()
    department: serializers.SlugRelatedField[Department] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    team: serializers.PrimaryKeyRelatedField[Team] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "full_name",
            "roles",
            "department",
            "team",
            "extension",
            "is_key_account_manager",
            "email",
            "mobile_phone",
            "is_active",
        ]

    def get_roles(self, user: User) -> list[str]:
        return sorted(user.role_codes)


class TeamSerializer(serializers.ModelSerializer[Team]):
    operators = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "name", "department", "supervisor", "operators"]

    def get_operators(self, team: Team) -> list[int]:
        return [member.pk for member in team.members.all()]


class TeamOperatorsInputSerializer(serializers.Serializer[Any]):
    """The team's operators, all of them (the service keeps the size bounds)."""

    operators = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(is_active=True).prefetch_related("roles")
    )


class AbsenceOutputSerializer(serializers.ModelSerializer[Absence]):
    class Meta:
        model = Absence
        fields = ["id", "user", "kind", "starts_at", "ends_at", "covered_by", "note", "created_by"]


class AbsenceInputSerializer(serializers.Serializer[Absence]):
    """What a supervisor enters; the service checks overlaps and the colleague covering."""

    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    kind = serializers.ChoiceField(choices=AbsenceKind.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    covered_by = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    note = serializers.CharField(max_length=255, allow_blank=True, required=False)
