"""Teams: one supervisor and 3-20 operators; the bounds are configurable and enforced."""

import pytest
from django.core.exceptions import ValidationError

from callpulse.core import services
from callpulse.core.admin import TeamForm
from callpulse.core.models import Team

pytestmark = pytest.mark.django_db


def operators(make_user, n):
    return [make_user("operator") for _ in range(n)]


def test_a_team_is_created_with_its_operators(make_user):
    supervisor = make_user("supervisor")
    ops = operators(make_user, 3)
    team = services.team_create(name="Алматы", supervisor=supervisor, operators=ops)
    assert set(team.members.all()) == set(ops)


@pytest.mark.parametrize("count", [2, 21])
def test_too_few_or_too_many_operators_are_refused(make_user, count):
    supervisor = make_user("supervisor")
    with pytest.raises(ValidationError) as error:
        services.team_create(name="X", supervisor=supervisor, operators=operators(make_user, count))
    assert "operators" in error.value.message_dict
    assert not Team.objects.exists()


def test_the_bounds_come_from_settings(make_user, settings):
    settings.CALLPULSE_TEAM_MIN_OPERATORS = 1
    settings.CALLPULSE_TEAM_MAX_OPERATORS = 2
    supervisor = make_user("supervisor")
    services.team_create(name="Small", supervisor=supervisor, operators=operators(make_user, 1))
    with pytest.raises(ValidationError):
        services.team_create(name="Big", supervisor=supervisor, operators=operators(make_user, 3))


def test_the_supervisor_must_hold_the_role_and_members_must_be_operators(make_user):
    not_a_supervisor = make_user("operator")
    with pytest.raises(ValidationError) as error:
        services.team_create(
            name="X", supervisor=not_a_supervisor, operators=operators(make_user, 3)
        )
    assert "supervisor" in error.value.message_dict
    mixed = [*operators(make_user, 2), make_user("finance")]
    with pytest.raises(ValidationError) as error:
        services.team_create(name="Y", supervisor=make_user("supervisor"), operators=mixed)
    assert "operators" in error.value.message_dict


def test_removing_an_operator_below_the_minimum_is_refused(make_user):
    ops = operators(make_user, 4)
    team = services.team_create(name="T", supervisor=make_user("supervisor"), operators=ops)
    services.team_remove_operator(team=team, operator=ops[0])
    assert team.members.count() == 3
    with pytest.raises(ValidationError):
        services.team_remove_operator(team=team, operator=ops[1])
    assert team.members.count() == 3


def test_the_admin_form_enforces_the_same_bounds(make_user):
    supervisor = make_user("supervisor")
    form = TeamForm(
        data={
            "name": "T",
            "supervisor": supervisor.pk,
            "operators": [u.pk for u in operators(make_user, 2)],
        }
    )
    assert not form.is_valid()
    assert "operators" in form.errors
    ok = TeamForm(
        data={
            "name": "T",
            "supervisor": supervisor.pk,
            "operators": [u.pk for u in operators(make_user, 3)],
        }
    )
    assert ok.is_valid(), ok.errors


def test_an_operator_of_another_team_is_not_silently_moved(make_user):
    first = operators(make_user, 3)
    services.team_create(name="A", supervisor=make_user("supervisor"), operators=first)
    poached = [first[0], *operators(make_user, 2)]
    with pytest.raises(ValidationError) as error:
        services.team_create(name="B", supervisor=make_user("supervisor"), operators=poached)
    assert "Already in another team" in error.value.message_dict["operators"][0]
    first[0].refresh_from_db()
    assert first[0].team.name == "A"


def test_a_trainee_has_one_mentor_at_a_time(make_user):
    from datetime import date

    trainee = make_user("operator")
    services.mentorship_start(
        mentor=make_user("mentor"), trainee=trainee, starts_on=date(2026, 11, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.mentorship_start(
            mentor=make_user("mentor"), trainee=trainee, starts_on=date(2026, 11, 2)
        )
    assert "trainee" in error.value.message_dict
