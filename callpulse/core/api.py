"""Staff API: the directory, availability, departments, teams and absences."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from callpulse.core import services
from callpulse.core.api_writes import AtomicWritesMixin
from callpulse.core.models import Absence, Department, Team, User
from callpulse.core.permissions import role_permission, staff_user
from callpulse.core.query_params import query_id
from callpulse.core.roles import ORGANISATION_EDITORS, STAFF_DIRECTORY, RoleCode, user_has_role
from callpulse.core.selectors import users_available, users_for_directory
from callpulse.core.serializers import (
    AbsenceInputSerializer,
    AbsenceOutputSerializer,
    DepartmentSerializer,
    TeamOperatorsInputSerializer,
    TeamSerializer,
    UserSerializer,
)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "role", str, enum=RoleCode.values, description="Only staff with this role."
        ),
        OpenApiParameter("department", str, description="Department code."),
        OpenApiParameter(
            "available_at",
            OpenApiTypes.DATETIME,
            description="Only staff not away at this moment (ISO 8601); `now` for the present.",
        ),
    ]
)
class UserViewSet(viewsets.ReadOnlyModelViewSet[User]):
    """The staff directory. Personal data: for supervisors, heads and planners only."""

    serializer_class = UserSerializer
    permission_classes = [role_permission(read=STAFF_DIRECTORY)]

    def get_queryset(self) -> QuerySet[User]:
        params = self.request.query_params
        role = params.get("role")
        if role is not None and role not in RoleCode.values:
            raise serializers.ValidationError({"role": [f"Unknown role “{role}”."]})
        available_at = params.get("available_at")
        department = params.get("department")
        if available_at:
            moment = _parse_moment(available_at, field="available_at")
            users = users_available(at=moment, role=role)
        else:
            users = users_for_directory()
            if role:
                users = users.filter(roles__code=role)
        if department:
            users = users.filter(department__code=department)
        return users

    @extend_schema(responses=UserSerializer)
    @action(detail=False, permission_classes=[IsAuthenticated])
    def me(self, request: Request) -> Response:
        """The signed-in user's own record."""
        return Response(UserSerializer(staff_user(request)).data)


def _parse_moment(raw: str, *, field: str) -> Any:
    if raw == "now":
        return timezone.now()
    try:
        return serializers.DateTimeField().to_internal_value(raw)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({field: exc.detail}) from exc


class DepartmentViewSet(AtomicWritesMixin, viewsets.ModelViewSet[Department]):
    """Departments (wholesale, retail, regional, service desk…), editable by the head of sales."""

    queryset = Department.objects.select_related("head")
    serializer_class = DepartmentSerializer
    permission_classes = [role_permission(write=ORGANISATION_EDITORS)]


class TeamViewSet(AtomicWritesMixin, viewsets.ReadOnlyModelViewSet[Team]):
    """Teams with their supervisor and operators; `operators/` sets them (TEAM_MANAGERS)."""

    queryset = Team.objects.select_related("supervisor", "department").prefetch_related("members")
    serializer_class = TeamSerializer

    @extend_schema(request=TeamOperatorsInputSerializer, responses=TeamSerializer)
    @action(detail=True, methods=["post"], url_path="operators")
    def set_operators(self, request: Request, pk: str | None = None) -> Response:
        """Replace the team's operators: its supervisor for their team, heads for any."""
        team = self.get_object()
        data = TeamOperatorsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.team_members_set(
            actor=staff_user(request), team=team, operators=data.validated_data["operators"]
        )
        team = self.get_queryset().get(pk=team.pk)
        return Response(TeamSerializer(team).data)


class AbsenceViewSet(
    AtomicWritesMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Absence],
):
    """Absences and cover. Staff see their own; supervisors, heads and planners see everyone's."""

    serializer_class = AbsenceOutputSerializer
    queryset = Absence.objects.none()  # for the schema; get_queryset decides per user

    def get_queryset(self) -> QuerySet[Absence]:
        absences = Absence.objects.select_related("user", "covered_by").order_by("-starts_at")
        user = staff_user(self.request)
        if not user_has_role(user, STAFF_DIRECTORY):
            absences = absences.filter(user=user)
        if (user_id := query_id(self.request, "user")) is not None:
            absences = absences.filter(user_id=user_id)
        return absences

    @extend_schema(request=AbsenceInputSerializer, responses={201: AbsenceOutputSerializer})
    def create(self, request: Request) -> Response:
        data = AbsenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        absence = services.absence_create(actor=staff_user(request), **data.validated_data)
        return Response(AbsenceOutputSerializer(absence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AbsenceInputSerializer, responses=AbsenceOutputSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        absence = self.get_object()
        data = AbsenceInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "user" in fields and fields.pop("user") != absence.user:
            raise serializers.ValidationError(
                {"user": ["An absence cannot move to another person."]}
            )
        absence = services.absence_update(actor=staff_user(request), absence=absence, **fields)
        return Response(AbsenceOutputSerializer(absence).data)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.absence_delete(actor=staff_user(request), absence=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PingView(APIView):
    """Liveness for load balancers, and the framework's floor in benchmarks: an empty answer."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response({})
