"""Concurrent hand-out on the real server: many operators ask for the next record at once and
no record is ever given to two of them (SELECT … FOR UPDATE SKIP LOCKED).

SQLite serialises every write anyway, so these run on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections

from callpulse.campaigns import services
from callpulse.campaigns.models import CampaignRecord, CampaignStatus, RecordStatus, Segment
from callpulse.telephony.models import Callback, CallbackReason

from .conftest import NOW

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row-lock races need PostgreSQL (DATABASE_URL)"
    ),
]


def run_at_once(jobs: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def worker(index: int, job: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # the test inspects what each job raised
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twelve_operators_asking_at_once_get_twelve_different_records(head, make_operator):
    operators = [make_operator() for _ in range(12)]
    campaign = services.campaign_create(
        actor=head,
        data=services.CampaignInput(name="Cold list", segment=Segment.IMPORT, operators=operators),
    )
    rows = "\n".join(f"+7701777{n:04d},Contact {n}" for n in range(30))
    services.campaign_import(
        actor=head, campaign=campaign, name="cold.csv", content=f"phone,name\n{rows}".encode(),
        at=NOW - timedelta(hours=1),
    )  # fmt: skip
    services.campaign_set_status(actor=head, campaign=campaign, status=CampaignStatus.ACTIVE)

    def ask(operator):
        def job():
            taken = []
            for _round in range(2):  # each finishes the first and takes a second
                record = services.campaign_next_record(actor=operator, campaign=campaign, at=NOW)
                taken.append(record.pk)
                CampaignRecord.objects.filter(pk=record.pk).update(status=RecordStatus.DONE)
            return taken

        return job

    results = run_at_once([ask(op) for op in operators])
    assert not [r for r in results if isinstance(r, Exception)], results
    handed = Counter(pk for taken in results for pk in taken)  # type: ignore[union-attr]
    assert len(handed) == 24 and max(handed.values()) == 1


def test_two_operators_taking_the_last_due_callback_at_once_get_it_once(make_operator):
    from callpulse.telephony import services as telephony
    from callpulse.telephony.models import AgentState

    operators = [make_operator() for _ in range(6)]
    for operator in operators:
        telephony.agent_state_set(user=operator, state=AgentState.AVAILABLE)
    callback = Callback.objects.create(
        phone="+77015551234", reason=CallbackReason.WEBSITE, due_at=NOW - timedelta(minutes=1)
    )
    results = run_at_once(
        [lambda op=op: telephony.callback_take_next(actor=op, at=NOW) for op in operators]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [r.pk for r in results if r is not None] == [callback.pk]  # type: ignore[attr-defined]
