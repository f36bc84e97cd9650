"""History in: CSV import (errors name row and column; all or nothing) and the call registry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from callpulse.telephony.models import Call, CallStatus, Direction
from callpulse.workforce import services
from callpulse.workforce.models import ArrivalRecord, HistorySource

from .conftest import ALMATY, almaty, history_csv

pytestmark = pytest.mark.django_db


def test_import_reads_rows_in_the_centers_time_zone(planner):
    count = services.history_import_csv(
        actor=planner, content="start,calls,aht\n2026-03-02T09:00,12,185.5\n2026-03-02T09:30,7,\n"
    )
    assert count == 2
    first, second = ArrivalRecord.objects.order_by("start")
    assert first.start == almaty(2026, 3, 2, 9, 0)
    assert (first.calls, first.aht_seconds, first.interval_minutes) == (12, 185.5, 30)
    assert second.aht_seconds is None
    assert first.source == HistorySource.CSV


def test_import_keeps_explicit_offsets(planner):
    services.history_import_csv(actor=planner, content="start,calls\n2026-03-02T04:00:00Z,3\n")
    assert ArrivalRecord.objects.get().start == almaty(2026, 3, 2, 9, 0)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("when,calls\n2026-03-02T09:00,1\n", "Missing column(s): start"),
        ("start,calls\n2026-03-02T09:00,1\nyesterday,2\n", "Row 3, column start"),
        ("start,calls\n2026-03-02T09:00,-1\n", "Row 2, column calls"),
        ("start,calls\n2026-03-02T09:00,1.5\n", "Row 2, column calls"),
        ("start,calls,aht\n2026-03-02T09:00,1,0\n", "Row 2, column aht"),
        ("start,calls\n2026-03-02T09:00,1\n2026-03-02T09:00,2\n", "repeats row 2"),
        ("start,calls\n", "no rows"),
        ("start,calls\n2026-03-02T09:00,1\n2026-03-02T09:07,1\n", "divisor of a day"),
    ],
)
def test_import_errors_name_row_and_column_and_save_nothing(planner, content, expected):
    with pytest.raises(ValidationError) as caught:
        services.history_import_csv(actor=planner, content=content)
    assert expected in " ".join(caught.value.message_dict["file"])
    assert not ArrivalRecord.objects.exists()


def test_import_replaces_the_same_intervals(planner):
    services.history_import_csv(actor=planner, content="start,calls\n2026-03-02T09:00,1\n")
    services.history_import_csv(actor=planner, content="start,calls\n2026-03-02T09:00,9\n")
    assert list(ArrivalRecord.objects.values_list("calls", flat=True)) == [9]


def test_only_planners_import(make_user):
    supervisor = make_user("supervisor")
    with pytest.raises(PermissionDenied):
        services.history_import_csv(actor=supervisor, content=history_csv(days=1))


def _call(n: int, at, *, talk=None, wrap=None, direction=Direction.INBOUND, queue="operators"):
    return Call.objects.create(
        call_id=f"c{n}",
        direction=direction,
        queue=queue,
        ringing_at=at,
        status=CallStatus.ENDED,
        talk_seconds=talk,
        wrap_up_seconds=wrap,
    )


def test_history_from_calls_counts_offered_calls_and_averages_handle_time(planner):
    _call(1, almaty(2026, 3, 2, 9, 5), talk=100, wrap=20)
    _call(2, almaty(2026, 3, 2, 9, 25), talk=200, wrap=40)
    _call(3, almaty(2026, 3, 2, 9, 29))  # abandoned: offered, no handle time
    _call(4, almaty(2026, 3, 2, 10, 40), talk=60)
    _call(5, almaty(2026, 3, 2, 9, 10), talk=60, direction=Direction.OUTBOUND)
    count = services.history_from_calls(
        actor=planner, start=almaty(2026, 3, 2, 0, 0), end=almaty(2026, 3, 3, 0, 0)
    )
    rows = {r.start.astimezone(ALMATY).strftime("%H:%M"): r for r in ArrivalRecord.objects.all()}
    assert count == 4  # 9:00, 9:30 (quiet but open), 10:00, 10:30
    assert rows["09:00"].calls == 3
    assert rows["09:00"].aht_seconds == pytest.approx(180.0)  # (120 + 240) / 2
    assert rows["09:30"].calls == 0 and rows["09:30"].aht_seconds is None
    assert rows["10:30"].calls == 1 and rows["10:30"].aht_seconds == 60
    assert rows["09:00"].source == HistorySource.CALLS


def test_history_from_calls_refuses_an_empty_period(planner):
    with pytest.raises(ValidationError) as caught:
        services.history_from_calls(
            actor=planner,
            start=almaty(2026, 3, 2, 0, 0),
            end=almaty(2026, 3, 2, 0, 0) + timedelta(days=1),
        )
    assert "start" in caught.value.message_dict
