"""Absences: recorded by supervisors and heads, never overlapping, the cover must be in."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from callpulse.core import services
from callpulse.core.models import Absence, AuditEntry
from callpulse.core.tests.factories import AbsenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(make_user):
    return make_user("supervisor")


def test_a_supervisor_records_an_absence_with_cover_and_it_is_audited(make_user, supervisor):
    now = timezone.now()
    operator, colleague = make_user("operator"), make_user("operator")
    absence = services.absence_create(
        actor=supervisor,
        user=operator,
        kind="sick_leave",
        starts_at=now,
        ends_at=now + timedelta(days=3),
        covered_by=colleague,
    )
    assert absence.covered_by == colleague
    assert AuditEntry.objects.filter(action="absence.create", target_id=str(absence.pk)).exists()


def test_an_operator_may_not_record_absences(make_user):
    operator = make_user("operator")
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        services.absence_create(
            actor=operator,
            user=operator,
            kind="day_off",
            starts_at=now,
            ends_at=now + timedelta(hours=8),
        )
    assert not Absence.objects.exists()


def test_overlapping_absences_are_refused(make_user, supervisor):
    now = timezone.now()
    operator = make_user("operator")
    AbsenceFactory(user=operator, starts_at=now, ends_at=now + timedelta(days=5))
    with pytest.raises(ValidationError) as error:
        services.absence_create(
            actor=supervisor,
            user=operator,
            kind="day_off",
            starts_at=now + timedelta(days=4),
            ends_at=now + timedelta(days=6),
        )
    assert "starts_at" in error.value.message_dict
    assert Absence.objects.count() == 1
    # touching end to start is not an overlap
    services.absence_create(
        actor=supervisor,
        user=operator,
        kind="day_off",
        starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=6),
    )


def test_the_colleague_covering_must_be_in(make_user, supervisor):
    now = timezone.now()
    operator, cover = make_user("operator"), make_user("operator")
    AbsenceFactory(user=cover, starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        services.absence_create(
            actor=supervisor,
            user=operator,
            kind="vacation",
            starts_at=now,
            ends_at=now + timedelta(days=7),
            covered_by=cover,
        )
    assert "covered_by" in error.value.message_dict


def test_end_before_start_and_self_cover_name_their_fields(make_user, supervisor):
    now = timezone.now()
    operator = make_user("operator")
    with pytest.raises(ValidationError) as error:
        services.absence_create(
            actor=supervisor,
            user=operator,
            kind="vacation",
            starts_at=now,
            ends_at=now,
            covered_by=operator,
        )
    assert set(error.value.message_dict) == {"ends_at", "covered_by"}


def test_updating_keeps_the_rules_and_ignores_the_absence_itself(make_user, supervisor):
    now = timezone.now()
    operator = make_user("operator")
    absence = services.absence_create(
        actor=supervisor,
        user=operator,
        kind="vacation",
        starts_at=now,
        ends_at=now + timedelta(days=2),
    )
    services.absence_update(actor=supervisor, absence=absence, ends_at=now + timedelta(days=4))
    absence.refresh_from_db()
    assert absence.ends_at == now + timedelta(days=4)
    with pytest.raises(ValidationError):
        services.absence_update(
            actor=supervisor, absence=absence, starts_at=now + timedelta(days=5)
        )


def test_absences_api_validates_and_scopes_by_role(make_user, supervisor, api_as):
    now = timezone.now()
    operator = make_user("operator")
    other = make_user("operator")
    api = api_as(supervisor)
    bad = api.post(
        "/api/v1/absences/",
        {"user": operator.pk, "kind": "holiday", "starts_at": now.isoformat(), "ends_at": "soon"},
        format="json",
    )
    assert bad.status_code == 400
    assert {"kind", "ends_at"} <= set(bad.json())
    created = api.post(
        "/api/v1/absences/",
        {
            "user": operator.pk,
            "kind": "business_trip",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(),
            "covered_by": other.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    AbsenceFactory(user=other, starts_at=now + timedelta(days=10), ends_at=now + timedelta(days=11))

    # an operator sees only their own absences and cannot record one
    mine = api_as(operator).get("/api/v1/absences/").json()["results"]
    assert [a["user"] for a in mine] == [operator.pk]
    refused = api_as(operator).post(
        "/api/v1/absences/",
        {
            "user": operator.pk,
            "kind": "day_off",
            "starts_at": (now + timedelta(days=20)).isoformat(),
            "ends_at": (now + timedelta(days=21)).isoformat(),
        },
        format="json",
    )
    assert refused.status_code == 403
    assert len(api.get("/api/v1/absences/").json()["results"]) == 2
