"""The virtual PBX: reproducible, consistent traffic; and the command driving the real endpoint."""

from __future__ import annotations

import io
import random
import re
import urllib.error
from collections import defaultdict
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from callpulse.core.models import ServiceToken
from callpulse.crm.tests.factories import ClientFactory, PhoneFactory
from callpulse.telephony.management.commands.simulate_calls import CTISender, DeliveryError
from callpulse.telephony.models import Call, Callback, CTIEvent
from callpulse.telephony.pbx import (
    ANSWERED,
    ENDED,
    HELD,
    RINGING,
    TRANSFERRED,
    Directory,
    KnownNumber,
    PbxEvent,
    Route,
    TrafficConfig,
    VirtualPBX,
    drive,
    parse_rate,
)
from callpulse.telephony.tests.factories import almaty

START = almaty(2026, 11, 24, 10, 0)
DIRECTORY = Directory(
    operators=[str(101 + n) for n in range(5)],
    managers=["301", "302", "303"],
    known=[KnownNumber(f"+7701{n:07d}", f"Клиент {n}", f"30{1 + n % 3}") for n in range(200)],
)


def fake_router(event: PbxEvent) -> Route:
    """Like the real rules in miniature: 'other' goes to a manager, the rest to the queue."""
    if event.purpose == "other":
        return Route(kind="user", extension="302", name="Manager", summary="manager in")
    return Route(kind="queue", queue="operators", summary="stays with the operators")


def simulate(
    seed: int = 1, directory: Directory = DIRECTORY, **config: float
) -> tuple[VirtualPBX, list[PbxEvent]]:
    settings = {"rate_per_second": 1.0, "duration_seconds": 600.0, **config}
    pbx = VirtualPBX(
        config=TrafficConfig(**settings),
        directory=directory,
        rng=random.Random(seed),
        start=START,
        run_id="t",
    )
    events: list[PbxEvent] = []

    def deliver(event: PbxEvent) -> Route | None:
        events.append(event)
        return fake_router(event) if event.asks_route else None

    drive(pbx, deliver)
    return pbx, events


def by_call(events: list[PbxEvent]) -> dict[str, list[PbxEvent]]:
    calls: dict[str, list[PbxEvent]] = defaultdict(list)
    for event in events:
        calls[event.call_id].append(event)
    return calls


# --- the pure generator -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "per_second"),
    [("60/min", 1.0), ("3600/h", 1.0), ("2/s", 2.0), ("30", 0.5), (" 90 / min ", 1.5)],
)
def test_rates_are_read_per_minute_hour_or_second(text, per_second):
    assert parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize("text", ["fast", "0/min", "-5/min", "10/week"])
def test_a_rate_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError):
        parse_rate(text)


def test_the_same_seed_gives_the_same_events_and_another_seed_others():
    _, first = simulate(seed=7, duration_seconds=300)
    _, again = simulate(seed=7, duration_seconds=300)
    _, other = simulate(seed=8, duration_seconds=300)
    assert [e.body() for e in first] == [e.body() for e in again]
    assert [e.body() for e in first] != [e.body() for e in other]


def test_the_callers_do_not_depend_on_what_the_server_answers():
    def callers(router):
        pbx = VirtualPBX(
            config=TrafficConfig(rate_per_second=0.5, duration_seconds=600),
            directory=DIRECTORY,
            rng=random.Random(9),
            start=START,
            run_id="t",
        )
        drive(pbx, lambda e: router(e) if e.asks_route else None)
        return [(c.arrived, c.number, c.purpose, c.patience) for c in pbx.calls.values()]

    everyone_to_302 = Route(kind="user", extension="302", name="Manager")
    assert callers(fake_router) == callers(lambda _e: everyone_to_302)


def test_every_call_is_ordered_and_consistent():
    pbx, events = simulate(seed=3, rate_per_second=0.5, duration_seconds=1800)
    assert [e.t for e in events] == sorted(e.t for e in events)
    assert len({e.event_id for e in events}) == len(events)
    outcomes = set()
    for call_id, stream in by_call(events).items():
        types = [e.type for e in stream]
        assert types[0] == RINGING and not stream[0].extension, call_id  # asks the route first
        assert types.count(ENDED) == 1 and types[-1] == ENDED, call_id
        assert types.count(ANSWERED) <= 1
        if ANSWERED in types:
            answered = types.index(ANSWERED)
            assert RINGING in types[1:answered], call_id  # an extension rang before the answer
            assert stream[answered].extension == stream[answered - 1].extension
            held_or_moved = [i for i, t in enumerate(types) if t in (HELD, TRANSFERRED)]
            assert all(answered < i < len(types) - 1 for i in held_or_moved), call_id
            outcomes.add("answered")
        else:
            assert not {HELD, TRANSFERRED} & set(types), call_id  # abandoned: no answer, no talk
            outcomes.add("abandoned")
        for event in stream:
            assert event.direction == "inbound"
            assert event.at == START + timedelta(seconds=event.t)
            assert event.at.utcoffset() == timedelta(hours=5)
            assert event.body()["at"].endswith("+05:00")
    assert outcomes == {"answered", "abandoned"}
    summary = pbx.summary()
    assert summary.calls == summary.answered + summary.abandoned
    assert summary.transferred > 0 and summary.held > 0


def test_an_extension_never_has_two_calls_at_once():
    _, events = simulate(seed=5, rate_per_second=0.2, duration_seconds=3600)
    holder: dict[str, str] = {}
    for event in events:
        call_on = event.call_id
        if event.type == RINGING and event.extension:
            assert event.extension not in holder, event
            holder[event.extension] = call_on
        elif event.type == TRANSFERRED:
            previous = next(ext for ext, call in holder.items() if call == call_on)
            del holder[previous]
            assert event.extension not in holder, event
            holder[event.extension] = call_on
        elif event.type == ENDED:
            for extension in [ext for ext, call in holder.items() if call == call_on]:
                del holder[extension]


def test_queue_calls_wait_for_a_free_operator_and_impatient_ones_hang_up():
    one_operator = Directory(operators=["101"], known=DIRECTORY.known)
    pbx, _ = simulate(seed=2, directory=one_operator, rate_per_second=0.1)
    calls = pbx.calls.values()
    queued = [c for c in calls if c.queued]
    assert all(c.rang in ([], ["101"]) for c in queued)
    waited = [c for c in queued if c.answered_at is not None and c.wait is not None]
    assert max(c.wait for c in waited) > 30  # somebody waited for the operator to be free
    abandoned = [c for c in calls if c.outcome == "abandoned"]
    assert abandoned and all(c.wait == pytest.approx(c.patience) for c in abandoned)
    assert all(c.wait < c.patience for c in waited)


def test_the_rate_and_the_share_of_known_callers_are_roughly_respected():
    pbx, _ = simulate(seed=11, rate_per_second=1.0, duration_seconds=3600)
    calls = list(pbx.calls.values())
    assert 3400 < len(calls) < 3800  # Poisson: 3600 ± 3 sigma
    known = sum(1 for c in calls if c.client is not None) / len(calls)
    assert 0.77 < known < 0.83
    assert {c.purpose for c in calls} == {"order", "info", "other", ""}
    talk = [c.ended_at - c.answered_at for c in calls if c.answered_at and c.ended_at]
    assert 120 < sum(talk) / len(talk) < 260  # around three minutes


def test_new_callers_have_valid_numbers_nobody_in_the_center_has():
    import phonenumbers

    pbx, _ = simulate(seed=4, duration_seconds=300)
    taken = {k.number for k in DIRECTORY.known}
    for call in pbx.calls.values():
        if call.client is None:
            e164 = "+7" + call.number[1:] if call.number.startswith("8") else call.number
            assert e164 not in taken
            assert phonenumbers.is_valid_number(phonenumbers.parse(e164, "KZ"))


def test_stopping_hangs_up_every_live_call():
    pbx = VirtualPBX(
        config=TrafficConfig(rate_per_second=1.0, duration_seconds=600),
        directory=DIRECTORY,
        rng=random.Random(1),
        start=START,
        run_id="t",
    )
    stream = pbx.run()
    event = next(stream)
    for _ in range(60):
        event = stream.send(fake_router(event) if event.asks_route else None)
    live = [c.call_id for c in pbx.calls.values() if c.live]
    ended = pbx.hang_up_all(event.t + 1)
    assert live and sorted(e.call_id for e in ended) == sorted(live)
    assert all(e.type == ENDED and e.t == event.t + 1 for e in ended)
    assert not any(c.live for c in pbx.calls.values())


def test_a_route_is_read_from_the_endpoints_answer():
    answer = {
        "routing": {
            "target": {"kind": "user", "user": 5, "name": "Петров", "extension": "302"},
            "summary": "a → b",
            "new_client": True,
        }
    }
    route = Route.from_answer(answer)
    assert route is not None and (route.kind, route.extension, route.summary) == (
        "user",
        "302",
        "a → b",
    )
    assert Route.from_answer({"call_id": "x"}) is None


# --- the command ------------------------------------------------------------------------------


@pytest.fixture
def small_center(make_user):
    """One operator (so the queue overflows and callers abandon), one manager, six clients."""
    operator = make_user("operator", extension="101")
    manager = make_user("account_manager", extension="301")
    for n in range(6):
        client = ClientFactory(manager=manager)
        PhoneFactory(client=client, number=f"+7701555{n:04d}")
    return operator, manager


def numbers_in(output: str, pattern: str) -> tuple[int, ...]:
    match = re.search(pattern, output)
    assert match, output
    return tuple(int(g) for g in match.groups())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_command_drives_the_real_endpoint_over_http(live_server, small_center):
    operator, _manager = small_center
    out = StringIO()
    call_command(
        "simulate_calls",
        "--url",
        live_server.url,
        "--rate",
        "40/min",
        "--minutes",
        "0.25",
        "--seed",
        "5",
        "--speed",
        "2000",
        "--mean-talk",
        "90",
        stdout=out,
        stderr=out,
    )
    output = out.getvalue()
    calls, answered, abandoned = numbers_in(
        output, r"(\d+) calls: (\d+) \(\d+%\) answered, (\d+) \(\d+%\) abandoned"
    )
    (sent, failed) = numbers_in(output, r"events sent (\d+), failed (\d+)")
    assert calls >= 4 and answered >= 1 and abandoned >= 1 and failed == 0
    assert Call.objects.count() == calls
    assert CTIEvent.objects.count() == sent
    assert not Call.objects.exclude(status="ended").exists()
    assert Call.objects.filter(answered_at__isnull=False).count() == answered
    assert Call.objects.filter(operator=operator, answered_at__isnull=False).exists()
    lost = Call.objects.filter(outcome="abandoned")
    assert lost.count() == abandoned
    call = lost.first()
    assert Callback.objects.filter(phone=call.from_number, status="open").exists()
    token = ServiceToken.objects.get(name="virtual-pbx")
    assert "cti" in token.scope_set


def test_a_dry_run_prints_the_events_and_sends_nothing(small_center):
    out = StringIO()
    call_command(
        "simulate_calls", "--dry-run", "--rate", "30/min", "--minutes", "0.5", "--seed", "1",
        stdout=out,
    )  # fmt: skip
    output = out.getvalue()
    assert "ringing" in output and "ended" in output and "Summary" in output
    assert not Call.objects.exists() and not CTIEvent.objects.exists()
    assert not ServiceToken.objects.exists()


def test_the_sender_retries_an_unreachable_server_then_gives_up():
    sender = CTISender("http://127.0.0.1:9", "k", retries=2, timeout=0.5, sleep=lambda _s: None)
    with pytest.raises(DeliveryError) as caught:
        sender.post({"event_id": "x"})  # nothing listens on port 9
    assert "3 attempts" in str(caught.value) and not caught.value.fatal


@pytest.mark.parametrize(("status", "fatal", "attempts"), [(401, True, 1), (400, False, 1)])
def test_the_sender_does_not_retry_what_a_retry_cannot_fix(status, fatal, attempts):
    tries = []

    class Refusing:
        def open(self, request, timeout):
            tries.append(request)
            raise urllib.error.HTTPError(request.full_url, status, "no", {}, io.BytesIO(b"{}"))

    sender = CTISender("http://127.0.0.1:9", "k", sleep=lambda _s: None)
    sender.opener = Refusing()
    with pytest.raises(DeliveryError) as caught:
        sender.post({"event_id": "x"})
    assert caught.value.fatal is fatal and len(tries) == attempts
