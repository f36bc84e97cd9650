"""Deleting a shift asks first (issue 14, item 7): without JavaScript, a page of its own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from callpulse.workforce.models import Shift

from .conftest import MONDAY, almaty
from .factories import make_schedule, make_shift

pytestmark = pytest.mark.django_db


def test_a_shift_is_deleted_only_once_confirmed(client, planner, operators):
    shift = make_shift(make_schedule(MONDAY), operators[0], almaty(2026, 3, 2, 9, 0))
    client.force_login(planner)
    url = reverse("workforce:shift-delete", args=[shift.pk])
    asked = client.post(url)
    assert asked.status_code == 200
    assert "Yes, delete the shift" in asked.content.decode()
    assert Shift.objects.filter(pk=shift.pk).exists()
    client.post(url, {"confirmed": "1"})
    assert not Shift.objects.filter(pk=shift.pk).exists()


def test_the_schedule_button_carries_the_question(client, planner, operators):
    schedule = make_schedule(MONDAY)
    make_shift(schedule, operators[0], almaty(2026, 3, 2, 9, 0))
    client.force_login(planner)
    page = client.get(reverse("workforce:schedule", args=[schedule.pk])).content.decode()
    assert 'data-confirm="Delete Оператор 1' in page
