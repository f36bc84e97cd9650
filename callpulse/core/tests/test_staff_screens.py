"""Supervisors' screens (issue #14, item 5): absences with cover, their team's operators and
mentors. A supervisor manages the team they supervise only; the heads of sales and the director
any team (`core.services.team_may_manage`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client as PageClient
from django.urls import reverse
from django.utils import timezone

from callpulse.core.models import Absence, Mentorship, Team, User
from callpulse.core.tests.factories import AbsenceFactory, TeamFactory

pytestmark = pytest.mark.django_db

MOMENT = "%Y-%m-%dT%H:%M"


def _pages(user: User) -> PageClient:
    pages = PageClient()
    pages.force_login(user)
    return pages


@pytest.fixture
def team(make_user) -> Team:
    supervisor = make_user("supervisor", full_name="Супервайзер Асель")
    team = TeamFactory(supervisor=supervisor, name="Команда А")
    for n in range(settings.CALLPULSE_TEAM_MIN_OPERATORS):
        make_user("operator", full_name=f"Оператор {n}", team=team)
    return team


def _absence_post(user: User, covered_by: User | None, *, days: int = 3) -> dict[str, object]:
    starts = timezone.localtime() + timedelta(days=2)
    return {
        "user": user.pk,
        "kind": "sick_leave",
        "starts_at": starts.strftime(MOMENT),
        "ends_at": (starts + timedelta(days=days)).strftime(MOMENT),
        "covered_by": covered_by.pk if covered_by else "",
        "note": "",
    }


def test_a_supervisor_records_an_absence_with_cover(make_user, team):
    away, cover = list(team.members.all())[:2]
    response = _pages(team.supervisor).post(reverse("absences"), _absence_post(away, cover))
    assert response.status_code == 302
    absence = Absence.objects.get(user=away)
    assert absence.covered_by == cover and absence.created_by == team.supervisor


def test_an_overlapping_absence_is_a_400_naming_the_field(make_user, team):
    away = team.members.first()
    AbsenceFactory(user=away, starts_at=timezone.now(), ends_at=timezone.now() + timedelta(days=9))
    response = _pages(team.supervisor).post(reverse("absences"), _absence_post(away, None))
    assert response.status_code == 400
    assert response.context["form"].errors["starts_at"]
    assert Absence.objects.filter(user=away).count() == 1


@pytest.mark.parametrize("role", ["operator", "account_manager", "finance", "qa_specialist"])
def test_roles_outside_absence_editors_are_refused_the_page(make_user, team, role):
    pages = _pages(make_user(role))
    assert pages.get(reverse("absences")).status_code == 403
    away = team.members.first()
    assert pages.post(reverse("absences"), _absence_post(away, None)).status_code == 403
    assert not Absence.objects.filter(user=away).exists()


def test_deleting_an_absence_asks_first(make_user, team):
    absence = AbsenceFactory(user=team.members.first())
    pages = _pages(team.supervisor)
    url = reverse("absence-delete", kwargs={"absence_id": absence.pk})
    assert pages.post(url).status_code == 200  # the question
    assert Absence.objects.filter(pk=absence.pk).exists()
    assert pages.post(url, {"confirmed": "1"}).status_code == 302
    assert not Absence.objects.filter(pk=absence.pk).exists()


def test_who_is_in_links_a_supervisor_to_absences_and_teams(team):
    body = _pages(team.supervisor).get(reverse("staff-presence")).content.decode()
    assert reverse("absences") in body and reverse("teams") in body


def test_a_supervisor_adds_an_operator_to_their_own_team(make_user, team):
    newcomer = make_user("operator", full_name="Новичок")
    operators = [*team.members.all(), newcomer]
    response = _pages(team.supervisor).post(
        reverse("team", kwargs={"team_id": team.pk}), {"operators": [u.pk for u in operators]}
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.team == team


def test_a_supervisor_may_not_touch_another_supervisors_team(make_user, team):
    other = make_user("supervisor")
    TeamFactory(supervisor=other)
    newcomer = make_user("operator")
    operators = [*team.members.all(), newcomer]
    pages = _pages(other)
    url = reverse("team", kwargs={"team_id": team.pk})
    assert pages.get(url).status_code == 403
    assert pages.post(url, {"operators": [u.pk for u in operators]}).status_code == 403
    assert team.pk not in {t.pk for t in pages.get(reverse("teams")).context["teams"]}
    api = PageClient()
    api.force_login(other)
    response = api.post(
        f"/api/v1/teams/{team.pk}/operators/",
        {"operators": [u.pk for u in operators]},
        content_type="application/json",
    )
    assert response.status_code == 403
    newcomer.refresh_from_db()
    assert newcomer.team is None


@pytest.mark.parametrize("role", ["head_of_sales", "director"])
def test_heads_manage_any_team(make_user, team, role):
    assert (
        _pages(make_user(role)).get(reverse("team", kwargs={"team_id": team.pk})).status_code == 200
    )


def test_a_team_below_its_minimum_is_a_400_naming_the_operators(team):
    keep = list(team.members.all())[:1]
    response = _pages(team.supervisor).post(
        reverse("team", kwargs={"team_id": team.pk}), {"operators": [u.pk for u in keep]}
    )
    assert response.status_code == 400
    assert response.context["operators_form"].errors["operators"]
    assert team.members.count() == settings.CALLPULSE_TEAM_MIN_OPERATORS


def test_a_supervisor_gives_a_trainee_a_mentor_and_ends_it(make_user, team):
    trainee = team.members.first()
    mentor = make_user("operator", "mentor", full_name="Наставник")
    pages = _pages(team.supervisor)
    response = pages.post(
        reverse("team-mentor", kwargs={"team_id": team.pk}),
        {"trainee": trainee.pk, "mentor": mentor.pk, "starts_on": timezone.localdate()},
    )
    assert response.status_code == 302
    mentorship = Mentorship.objects.get(trainee=trainee, mentor=mentor)
    url = reverse(
        "team-mentorship-end", kwargs={"team_id": team.pk, "mentorship_id": mentorship.pk}
    )
    assert pages.post(url, {"confirmed": "1"}).status_code == 302
    mentorship.refresh_from_db()
    assert mentorship.ended_on == timezone.localdate()


def test_a_mentor_for_someone_outside_the_team_is_refused(make_user, team):
    stranger = make_user("operator")
    mentor = make_user("mentor")
    response = _pages(team.supervisor).post(
        reverse("team-mentor", kwargs={"team_id": team.pk}),
        {"trainee": stranger.pk, "mentor": mentor.pk, "starts_on": timezone.localdate()},
    )
    assert response.status_code == 400
    assert response.context["mentor_form"].errors["trainee"]
    assert not Mentorship.objects.exists()
