"""Who of a role or department is available at a moment, counting absences."""

from datetime import timedelta

import pytest
from django.utils import timezone

from callpulse.core.models import AbsenceKind, Department
from callpulse.core.selectors import user_absence_at, users_available
from callpulse.core.tests.factories import AbsenceFactory

pytestmark = pytest.mark.django_db


def test_an_absent_manager_is_not_available_while_away_and_is_again_after(make_user):
    now = timezone.now()
    ivanova = make_user("account_manager", full_name="Иванова Айгерим")
    petrov = make_user("account_manager", full_name="Петров Сергей")
    AbsenceFactory(user=ivanova, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=3))

    assert list(users_available(at=now, role="account_manager")) == [petrov]
    # [starts_at, ends_at): back at the very moment the absence ends
    back = now + timedelta(days=3)
    assert set(users_available(at=back, role="account_manager")) == {ivanova, petrov}
    assert set(users_available(at=now - timedelta(days=2), role="account_manager")) == {
        ivanova,
        petrov,
    }


def test_role_and_department_filters_combine(make_user):
    wholesale = Department.objects.get(code="wholesale")
    retail = Department.objects.get(code="retail")
    head = make_user("department_head", department=wholesale)
    make_user("department_head", department=retail)
    make_user("operator", department=wholesale)

    found = users_available(at=timezone.now(), role="department_head", department=wholesale)
    assert list(found) == [head]


def test_inactive_staff_are_never_available(make_user):
    make_user("operator", is_active=False)
    assert not users_available(at=timezone.now(), role="operator").exists()


def test_another_persons_absence_does_not_hide_a_colleague(make_user):
    """The absence check is per person (an Exists subquery), not any absence at all."""
    now = timezone.now()
    a = make_user("operator")
    b = make_user("operator")
    AbsenceFactory(user=a, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    AbsenceFactory(user=b, starts_at=now + timedelta(days=5), ends_at=now + timedelta(days=6))
    assert list(users_available(at=now, role="operator")) == [b]


def test_availability_is_one_query_plus_roles(make_user, django_assert_num_queries):
    for _ in range(5):
        make_user("operator")
    with django_assert_num_queries(2):  # users, then their roles prefetched
        users = list(users_available(at=timezone.now(), role="operator"))
        assert all(u.role_codes == {"operator"} for u in users)


def test_the_current_absence_names_its_cover(make_user):
    now = timezone.now()
    ivanova = make_user("account_manager")
    petrov = make_user("account_manager")
    AbsenceFactory(
        user=ivanova,
        kind=AbsenceKind.SICK_LEAVE,
        covered_by=petrov,
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(days=2),
    )
    absence = user_absence_at(user=ivanova, at=now)
    assert absence is not None and absence.covered_by == petrov
    assert user_absence_at(user=petrov, at=now) is None
