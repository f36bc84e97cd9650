"""Times say whose clock and which day (issue 14, item 6) and durations read as people say them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from callpulse.core.templatetags.clock import clock_in, due, hours_minutes
from callpulse.core.tests.factories import UserFactory
from callpulse.crm.tests.factories import ClientFactory

ALMATY = ZoneInfo("Asia/Almaty")
# Tuesday 24 Nov 2026, 11:00 on the center's clock (Almaty): 15:00 in Tokyo, 01:00 in New York.
NOW = datetime(2026, 11, 24, 11, 0, tzinfo=ALMATY)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


def test_a_due_time_today_is_the_time_alone_and_another_day_carries_its_date(clock):
    with timezone.override(ALMATY):
        assert due(NOW + timedelta(hours=2)) == "13:00"
        assert due(NOW + timedelta(days=1)) == "25.11 11:00"
        assert due(NOW - timedelta(days=1)) == "23.11 11:00"
        assert due(NOW + timedelta(days=40)) == "03.01.2027 11:00"
        assert due(None) == ""


def test_clock_in_reads_the_clients_zone_not_the_viewers():
    with timezone.override(ALMATY):
        assert clock_in(NOW, "Asia/Tokyo") == "15:00"
        assert clock_in(NOW, "America/New_York") == "01:00"
        assert clock_in(NOW, "Not/AZone") == "11:00"  # a bad zone falls back to the center's


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(None, "—"), (0, "0 min"), (0.4, "under a minute"), (12.3, "12 min"), (95, "1 h 35 min")],
)
def test_hours_minutes(minutes, text):
    assert hours_minutes(minutes) == text


@pytest.mark.django_db
def test_the_card_shows_the_clients_local_time(clock, client):
    tokyo = ClientFactory(timezone="Asia/Tokyo", region="Токио")
    client.force_login(UserFactory(roles=["operator"]))
    page = client.get(reverse("crm:card", args=[tokyo.pk])).content.decode()
    assert "local time 15:00" in page
    assert "local time 11:00" not in page
