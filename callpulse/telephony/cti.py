"""CTI events: received into a journal at once, applied to the call registry in batches.

Why two steps. A phone system sends three to six events per call and waits only for the answer
to an inbound ring (the route). Receiving writes one row, the event with the answer it got, so
the phone system hears back after one insert (shared by the request threads of a process that
arrive together: group commit). Applying takes every pending event, in arrival
order, in one transaction: the calls and agents of the whole batch are locked and written with
a handful of statements instead of a dozen per event. Under load the batches grow and the cost
per event falls; at a trickle a batch is one event and the registry lags by milliseconds.

`CALLPULSE_CTI_APPLY` says who applies:

- ``background`` (default): a thread in each server process, woken by every event it receives;
  on PostgreSQL one applier at a time holds an advisory lock, the others wait their turn.
  Events journaled by a process that died are picked up by the next poll of any other.
- ``inline``: the request applies before it answers (the tests; a registry that never lags).
- ``worker``: the web processes only journal; ``manage.py cti_apply`` applies.

Events may arrive in any order: each sets only its own moment, and status, durations and outcome
are derived from the moments known so far. An event that cannot be applied (a bug, bad data)
is set aside with its error rather than holding up the queue.
"""

from __future__ import annotations

import logging

try:
    import fcntl
except ImportError:  # not on Linux or macOS: threads still take turns
    fcntl = None  # type: ignore[assignment]
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from callpulse.core.db import fetchone_prepared
from callpulse.core.events import publish_on_commit, user_channel
from callpulse.core.models import User
from callpulse.core.phones import normalize_phone
from callpulse.crm.models import Phone
from callpulse.telephony.models import (
    AgentState,
    AgentStateSpan,
    AgentStatus,
    Call,
    Callback,
    CallbackStatus,
    CallStatus,
    CallTransfer,
    CTIEvent,
    CTIEventType,
    Direction,
    Outcome,
)
from callpulse.telephony.routing import call_route

logger = logging.getLogger(__name__)

SUPERVISORS_CHANNEL = "supervisors"
CLOCK_SKEW = timedelta(seconds=5)  # how far ahead a phone system's clock may run
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)  # no call in the registry is older
LATEST_EVENT_AHEAD = timedelta(days=1)  # a clock set wrong, not a call: refused at receipt
EXTENSION_MAX_DIGITS = 16  # as the extension field of an event
CALLER_RAW_MAX = 40  # as the from_number field of an event
BATCH_SIZE = 500
POLL_SECONDS = 1.0
LINGER_SECONDS = 0.03
JOURNAL_TIMEOUT_SECONDS = 10.0
_PG_APPLIER_LOCK = 0x63_74_69_61  # "ctia": one applier at a time across processes


@dataclass(frozen=True)
class CTIEventInput:
    event_id: str
    call_id: str
    type: str
    direction: str
    at: datetime
    from_number: str = ""
    to_number: str = ""
    extension: str = ""
    queue: str = ""
    purpose: str = ""
    recording_url: str = ""
    caller_raw: str = ""  # what the phone system sent as from_number when it is no number

    def payload(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["at"] = self.at.isoformat()
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> CTIEventInput:
        return cls(**{**data, "at": datetime.fromisoformat(data["at"])})


def phone_or_raw(raw: str) -> str:
    """E.164 when the text is a number, else as given (an extension, 'anonymous')."""
    try:
        return normalize_phone(raw)
    except ValidationError:
        return raw.strip()[:32]


def caller_screened(raw: str) -> tuple[str, str]:
    """(number, raw text) for what a phone system sent as the caller.

    A number becomes E.164 and an extension (digits only) stays as it is; anything else
    ('anonymous', 'Unknown', markup, a name) is no number: the caller is unknown, and the text is
    kept apart, stripped of control characters, so that no screen shows it as a number and no
    rule looks it up as one.
    """
    text = raw.strip()
    if not text:
        return "", ""
    try:
        return normalize_phone(text), ""
    except ValidationError:
        pass
    if text.isascii() and text.isdigit() and len(text) <= EXTENSION_MAX_DIGITS:
        return text, ""
    printable = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    return "", printable.strip()[:CALLER_RAW_MAX]


def event_screened(event: CTIEventInput, *, now: datetime) -> CTIEventInput:
    """The event as it may enter the journal, or a ValidationError naming the field.

    A moment before 2000 or more than a day ahead is a phone system's clock set wrong: taken as
    it is, a year-9999 call would head the call list for ever. The caller is screened
    (`caller_screened`).
    """
    if event.at < EARLIEST_EVENT or event.at > now + LATEST_EVENT_AHEAD:
        message = gettext("Give a moment after 2000 and at most a day ahead (check the clock).")
        raise ValidationError({"at": message})
    if not event.from_number:
        return event
    number, caller_raw = caller_screened(event.from_number)
    if number == event.from_number and caller_raw == event.caller_raw:
        return event
    return replace(event, from_number=number, caller_raw=caller_raw)


# --- receiving ------------------------------------------------------------------------------


def cti_event_receive(*, event: CTIEventInput) -> dict[str, Any]:
    """Journal one event and answer it; the same event_id again gets its first answer back.

    The answer to an inbound ring carries the routing decision (the call's first decision when
    an earlier ring of the same call has been applied already).
    """
    event = event_screened(event, now=timezone.now())
    answer: dict[str, Any] = {"call_id": event.call_id, "event_id": event.event_id}
    if event.type == CTIEventType.RINGING and event.direction == Direction.INBOUND:
        answer["routing"] = _routing_for(event)
    first_answer = _journal(event, answer)
    if first_answer is not None:
        return first_answer
    mode = settings.CALLPULSE_CTI_APPLY
    if mode == "inline":
        cti_events_apply()
    elif mode == "background":
        APPLIER.nudge()
    return answer


@cache
def _sql() -> dict[str, str]:
    """The receiving path's statements as plain SQL: the ORM would spend longer building them
    than the database spends running them."""
    call, event = Call._meta, CTIEvent._meta
    c = {f.name: f.column for f in call.concrete_fields}
    e = {f.name: f.column for f in event.concrete_fields}
    names = [
        "event_id",
        "call_ref",
        "type",
        "at",
        "payload",
        "response",
        "received_at",
        "apply_error",
    ]
    columns = ", ".join(f'"{e[n]}"' for n in names)
    return {
        "call": (
            f'SELECT "{c["routing"]}", "{c["purpose"]}", "{c["from_number"]}" '
            f'FROM "{call.db_table}" WHERE "{c["call_id"]}" = %s'
        ),
        "journal": f'INSERT INTO "{event.db_table}" ({columns}) VALUES ',
        "journal_row": f"({', '.join(['%s'] * len(names))})",
        "journal_end": f' ON CONFLICT ("{e["event_id"]}") DO NOTHING RETURNING "{e["event_id"]}"',
        "answers": (
            f'SELECT "{e["event_id"]}", "{e["response"]}" FROM "{event.db_table}" '
            f'WHERE "{e["event_id"]}" IN '
        ),
    }


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _json(model: type[models.Model], name: str, raw: Any) -> Any:
    return _field(model, name).from_db_value(raw, None, connection)  # type: ignore[attr-defined]


def _routing_for(event: CTIEventInput) -> dict[str, Any]:
    row = fetchone_prepared(_sql()["call"], [event.call_id])
    purpose, from_number = event.purpose, event.from_number
    if row is not None:
        routing = _json(Call, "routing", row[0])
        if routing:
            return dict(routing)
        purpose, from_number = purpose or row[1], from_number or row[2]
    decision = call_route(phone=phone_or_raw(from_number), purpose=purpose or None, at=event.at)
    return decision.as_dict()


def _journal(event: CTIEventInput, answer: dict[str, Any]) -> dict[str, Any] | None:
    """Record the event; None when it is new, else the answer its first copy got."""
    values = {
        "event_id": event.event_id,
        "call_ref": event.call_id,
        "type": event.type,
        "at": event.at,
        "payload": event.payload(),
        "response": answer,
        "received_at": timezone.now(),
        "apply_error": "",
    }
    params = [_field(CTIEvent, k).get_db_prep_save(v, connection) for k, v in values.items()]
    if settings.CALLPULSE_CTI_APPLY == "inline" or connection.in_atomic_block:
        return journal_rows([(event.event_id, params)])[0]
    return JOURNAL.write(event.event_id, params)


def journal_rows(rows: list[tuple[str, list[Any]]]) -> list[dict[str, Any] | None]:
    """Insert events in one statement; for each, None if it is new, else its first answer."""
    sql = _sql()
    statement = sql["journal"] + ", ".join([sql["journal_row"]] * len(rows)) + sql["journal_end"]
    with _write_turn(), connection.cursor() as cursor:
        cursor.execute(statement, [value for _, params in rows for value in params])
        inserted = {row[0] for row in cursor.fetchall()}
        ids = [event_id for event_id, _ in rows]
        repeated = {eid for eid in ids if eid not in inserted} | _repeats_within(ids, inserted)
        answers: dict[str, dict[str, Any]] = {}
        if repeated:
            unique = sorted(repeated)
            cursor.execute(sql["answers"] + f"({', '.join(['%s'] * len(unique))})", unique)
            answers = {eid: dict(_json(CTIEvent, "response", raw)) for eid, raw in cursor}
    results: list[dict[str, Any] | None] = []
    claimed: set[str] = set()
    for event_id, _ in rows:
        if event_id in inserted and event_id not in claimed:
            claimed.add(event_id)
            results.append(None)
        else:
            results.append(answers.get(event_id))
    return results


def _repeats_within(event_ids: list[str], inserted: set[str]) -> set[str]:
    """Event ids sent twice in one batch: the second copy gets the first one's answer."""
    seen: set[str] = set()
    repeats = set()
    for event_id in event_ids:
        if event_id in seen and event_id in inserted:
            repeats.add(event_id)
        seen.add(event_id)
    return repeats


@dataclass
class _Waiting:
    event_id: str
    params: list[Any]
    done: threading.Event
    result: dict[str, Any] | None = None
    error: BaseException | None = None


class _JournalWriter:
    """Group commit: request threads hand their event to one writer thread per process, which
    inserts every event waiting at that moment in one statement (one transaction, one flush of
    the write-ahead log) and wakes them. Nobody is answered before their event is stored."""

    def __init__(self) -> None:
        self._waiting: list[_Waiting] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def write(self, event_id: str, params: list[Any]) -> dict[str, Any] | None:
        item = _Waiting(event_id, params, threading.Event())
        with self._cond:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="cti-journal", daemon=True)
                self._thread.start()
            self._waiting.append(item)
            self._cond.notify()
        if not item.done.wait(timeout=JOURNAL_TIMEOUT_SECONDS):
            raise TimeoutError("the CTI journal did not answer in time")
        if item.error is not None:
            raise item.error
        return item.result

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread once nothing waits (tests, orderly shutdown)."""
        thread = self._thread
        if thread is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify()
        thread.join(timeout)
        self._thread, self._stopping = None, False

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    while not self._waiting and not self._stopping:
                        self._cond.wait()
                    if not self._waiting:
                        return
                    batch = self._waiting[:BATCH_SIZE]
                    del self._waiting[:BATCH_SIZE]
                self._write(batch)
        finally:
            connections.close_all()

    @staticmethod
    def _write(batch: list[_Waiting]) -> None:
        try:
            results = journal_rows([(item.event_id, item.params) for item in batch])
            for item, result in zip(batch, results, strict=True):
                item.result = result
        except Exception as exc:
            logger.exception("CTI journal: a batch of %d failed", len(batch))
            for item in batch:
                item.error = exc
            connections.close_all()  # a broken connection is reopened for the next batch
        finally:
            for item in batch:
                item.done.set()


JOURNAL = _JournalWriter()


class _SqliteTurn:
    """Writers of the journal and the registry take turns on SQLite, which has one writer at a
    time: a writer that finds it busy sleeps in steps of up to 100 ms, leaving the CPU idle
    while the queue grows. Threads of a process queue on a lock, processes on an flock of a
    file beside the database; both hand over the moment the holder is done."""

    def __init__(self) -> None:
        self._threads = threading.Lock()
        self._file: Any = None

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            if fcntl is not None:
                if self._file is None:
                    lock_path = Path(f"{connection.settings_dict['NAME']}.cti-lock")
                    self._file = lock_path.open("a+b")
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            if fcntl is not None and self._file is not None:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        finally:
            self._threads.release()


_sqlite_turn = _SqliteTurn()


def _write_turn() -> AbstractContextManager[Any]:
    """One writer at a time on SQLite (see _SqliteTurn); PostgreSQL writes rows concurrently."""
    if connection.vendor == "sqlite" and not _in_memory():
        return _sqlite_turn
    return nullcontext()


def _in_memory() -> bool:
    name = str(connection.settings_dict["NAME"])
    return name == ":memory:" or "mode=memory" in name


# --- applying -------------------------------------------------------------------------------


def cti_events_apply(*, limit: int = BATCH_SIZE) -> int:
    """Apply up to `limit` pending events in arrival order; how many were taken.

    A clash with another writer (an operator's button creating their state at the same instant)
    rolls the batch back and tries again.
    """
    for attempt in range(3):
        try:
            with _write_turn():
                return _apply_pending(limit)
        except (IntegrityError, OperationalError):
            if attempt == 2:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


@transaction.atomic
def _apply_pending(limit: int) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_APPLIER_LOCK])
    # SQLite: the transaction began IMMEDIATE, so it already holds the one write lock.
    rows = list(CTIEvent.objects.filter(applied_at__isnull=True).order_by("pk")[:limit])
    if not rows:
        return 0
    try:
        with transaction.atomic():
            _Batch(rows).apply()
    except (IntegrityError, OperationalError):
        raise
    except Exception:
        logger.exception("CTI batch of %d failed; applying its events one by one", len(rows))
        for row in rows:
            _apply_alone(row)
    return len(rows)


def cti_events_retry(*, event_ids: Iterable[int]) -> int:
    """Put events that were set aside back in the journal (once the cause is fixed); how many.

    They are applied in their original order among whatever else waits.
    """
    count = (
        CTIEvent.objects.filter(pk__in=list(event_ids))
        .exclude(apply_error="")
        .update(applied_at=None, apply_error="")
    )
    if count:
        mode = settings.CALLPULSE_CTI_APPLY
        if mode == "inline":
            cti_events_apply()
        elif mode == "background":
            transaction.on_commit(APPLIER.nudge)
    return count


def _apply_alone(row: CTIEvent) -> None:
    try:
        with transaction.atomic():
            _Batch([row]).apply()
    except (IntegrityError, OperationalError):
        raise
    except Exception as exc:
        logger.exception("CTI event %s set aside", row.event_id)
        CTIEvent.objects.filter(pk=row.pk).update(
            applied_at=timezone.now(), apply_error=f"{type(exc).__name__}: {exc}"[:1000]
        )


def _update_rows(model: type[models.Model], objs: Iterable[Any], fields: list[str]) -> None:
    """UPDATE … WHERE pk = %s for each object, as one executemany (pipelined on PostgreSQL)."""
    objs = list(objs)
    if not objs:
        return
    meta = model._meta
    columns = [_field(model, name) for name in fields]
    assignments = ", ".join(f'"{c.column}" = %s' for c in columns)
    sql = f'UPDATE "{meta.db_table}" SET {assignments} WHERE "{meta.pk.column}" = %s'
    params = [
        [c.get_db_prep_save(getattr(o, c.attname), connection) for c in columns] + [o.pk]
        for o in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


class AgentBook:
    """Agents' states, locked, moved in memory, written once: the one place their rules live.

    A batch of CTI events moves many agents; `services.agent_state_set` moves one. The rules: a
    moment never later than now plus a little clock skew (a phone system's clock may run
    ahead), stale moments change nothing, `while_on` moves only an agent still on that call, and
    every change closes the open span and opens a new one.
    """

    def __init__(self, user_ids: set[int], now: datetime) -> None:
        self.now = now
        self.latest = now + CLOCK_SKEW
        ids = sorted(user_ids)
        self.status = {
            s.user_id: s
            for s in AgentStatus.objects.select_for_update()
            .filter(user_id__in=ids)
            .order_by("user_id")
        }
        self.open_span = {
            s.user_id: s
            for s in AgentStateSpan.objects.filter(user_id__in=ids, ended_at__isnull=True)
        }
        self.created: set[int] = set()
        self.changed: set[int] = set()
        self.closed: list[AgentStateSpan] = []
        self.new_spans: list[AgentStateSpan] = []

    def state_of(self, user_id: int) -> AgentStatus | None:
        return self.status.get(user_id)

    def set(
        self,
        user_id: int,
        state: str,
        at: datetime | None,
        call: Call | None = None,
        while_on: Call | None = None,
    ) -> AgentStatus | None:
        """Move the agent to `state` at `at`; None when nothing may move (stale, not on that call).

        Without `at` (a button pressed here) the moment is now, but never before the current
        state began.
        """
        status = self.status.get(user_id)
        if while_on is not None and (status is None or status.call_id != while_on.pk):
            return None
        if at is None:
            moment = max(self.now, status.since) if status is not None else self.now
        else:
            moment = min(at, self.latest)
        call_pk = call.pk if call is not None else None
        if status is None:
            self.status[user_id] = AgentStatus(
                user_id=user_id, state=state, since=moment, call_id=call_pk
            )
            self.created.add(user_id)
        else:
            if moment < status.since:
                return None  # an event older than what we know: history, not the present
            if status.state == state and status.call_id == call_pk:
                return status
            status.state, status.since, status.call_id = state, moment, call_pk
            self.changed.add(user_id)
        span = self.open_span.get(user_id)
        if span is not None:
            span.ended_at = moment
            if span.pk is not None:
                self.closed.append(span)
        span = AgentStateSpan(user_id=user_id, state=state, started_at=moment)
        self.open_span[user_id] = span
        self.new_spans.append(span)
        publish_on_commit(
            SUPERVISORS_CHANNEL,
            {"type": "agent_state", "user": user_id, "state": state, "since": moment.isoformat()},
        )
        return self.status[user_id]

    def write(self) -> None:
        _update_rows(AgentStateSpan, self.closed, ["ended_at"])  # before the new open ones
        AgentStateSpan.objects.bulk_create(self.new_spans)
        AgentStatus.objects.bulk_create([self.status[u] for u in sorted(self.created)])
        changed = [self.status[u] for u in sorted(self.changed - self.created)]
        _update_rows(AgentStatus, changed, ["state", "since", "call"])


# Call fields the events write: the operator's outcome notes and logging stay the operator's.
_CALL_FIELDS = [
    "from_number",
    "caller_raw",
    "to_number",
    "client",
    "is_new_caller",
    "queue",
    "operator",
    "purpose",
    "status",
    "ringing_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "wrap_up_seconds",
    "outcome",
    "recording_url",
    "routing",
    "updated_at",
]


def _earliest(current: datetime | None, new: datetime) -> datetime:
    return new if current is None or new < current else current


class _Batch:
    """Pending events applied together: calls and agents locked once, written once."""

    def __init__(self, rows: list[CTIEvent]) -> None:
        self.rows = rows
        self.events = [CTIEventInput.from_payload(r.payload) for r in rows]
        self.now = timezone.now()
        self.transfers: list[CallTransfer] = []

    def apply(self) -> None:
        calls = self._lock_calls()
        for event in self.events:
            self._fill(calls[event.call_id], event)
        self._identify_callers(calls.values())
        agent_by_extension = self._agents()
        involved = {c.operator_id for c in calls.values() if c.operator_id is not None}
        involved |= set(agent_by_extension.values())
        self.book = AgentBook(involved, self.now)
        for row, event in zip(self.rows, self.events, strict=True):
            call = calls[event.call_id]
            agent_id = agent_by_extension.get(event.extension) if event.extension else None
            _HANDLERS[event.type](self, call, event, agent_id, row.response)
            row.call_id = call.pk
            row.applied_at = self.now
        for call in calls.values():
            derive_call(call)
            call.updated_at = self.now
        _update_rows(Call, calls.values(), _CALL_FIELDS)
        self.book.write()
        CallTransfer.objects.bulk_create(self.transfers)
        _update_rows(CTIEvent, self.rows, ["call", "applied_at"])

    def _lock_calls(self) -> dict[str, Call]:
        """The batch's calls, locked in call_id order; calls first heard of are created."""
        refs = sorted({e.call_id for e in self.events})
        calls = {
            c.call_id: c
            for c in Call.objects.select_for_update().filter(call_id__in=refs).order_by("call_id")
        }
        missing = [r for r in refs if r not in calls]
        if missing:
            first: dict[str, CTIEventInput] = {}
            for event in self.events:
                first.setdefault(event.call_id, event)
            Call.objects.bulk_create(
                [Call(call_id=r, direction=first[r].direction) for r in missing],
                ignore_conflicts=True,
            )
            created = (
                Call.objects.select_for_update().filter(call_id__in=missing).order_by("call_id")
            )
            calls.update({c.call_id: c for c in created})
        return calls

    @staticmethod
    def _fill(call: Call, event: CTIEventInput) -> None:
        """What an event says about the call itself; the first number and purpose stand."""
        if event.from_number and not call.from_number:
            call.from_number = phone_or_raw(event.from_number)
            call.caller_raw = ""
        elif event.caller_raw and not call.from_number:
            call.caller_raw = event.caller_raw
        if event.to_number and not call.to_number:
            call.to_number = phone_or_raw(event.to_number)
        if event.queue:
            call.queue = event.queue
        if event.purpose and not call.purpose:
            call.purpose = event.purpose
        if event.recording_url:
            call.recording_url = event.recording_url

    @staticmethod
    def _identify_callers(calls: Iterable[Call]) -> None:
        """Whose number it is, once per call, in one query for the whole batch."""
        todo: dict[Call, str] = {}
        for call in calls:
            if call.client_id is not None or call.is_new_caller:
                continue
            number = call.from_number if call.direction == Direction.INBOUND else call.to_number
            if number:
                todo[call] = number
        if not todo:
            return
        owners = dict(
            Phone.objects.filter(number__in=set(todo.values())).values_list("number", "client_id")
        )
        for call, number in todo.items():
            call.client_id = owners.get(number)
            call.is_new_caller = call.client_id is None

    def _agents(self) -> dict[str, int]:
        extensions = {e.extension for e in self.events if e.extension}
        if not extensions:
            return {}
        found: dict[str, int] = {}
        rows = User.objects.filter(extension__in=extensions, is_active=True).order_by("pk")
        for extension, pk in rows.values_list("extension", "pk"):
            found.setdefault(extension or "", pk)
        return found

    def release_if_ringing(self, user_id: int, call: Call, at: datetime) -> None:
        """An agent whose phone rang for this call and did not answer is free again."""
        status = self.book.state_of(user_id)
        if status is not None and status.call_id == call.pk and status.state == AgentState.RINGING:
            self.book.set(user_id, AgentState.AVAILABLE, at)
            publish_on_commit(user_channel(user_id), {"type": "ended", "call": call.pk})


Handler = Callable[[_Batch, Call, CTIEventInput, int | None, dict[str, Any]], None]


def _on_ringing(
    batch: _Batch, call: Call, event: CTIEventInput, agent: int | None, answer: dict[str, Any]
) -> None:
    call.ringing_at = _earliest(call.ringing_at, event.at)
    if call.direction == Direction.INBOUND and not call.routing and answer.get("routing"):
        call.routing = answer["routing"]
    if agent is not None and call.answered_at is None and call.ended_at is None:
        previous = call.operator_id
        if previous is not None and previous != agent:
            batch.release_if_ringing(previous, call, event.at)  # ring-no-answer moved on
        call.operator_id = agent
        batch.book.set(agent, AgentState.RINGING, event.at, call=call)
        publish_on_commit(user_channel(agent), {"type": "ring", "call": call.pk})


def _on_answered(
    batch: _Batch, call: Call, event: CTIEventInput, agent: int | None, answer: dict[str, Any]
) -> None:
    call.answered_at = _earliest(call.answered_at, event.at)
    if call.ringing_at is None:
        call.ringing_at = event.at
    if agent is not None:
        previous = call.operator_id
        if previous is not None and previous != agent:
            batch.release_if_ringing(previous, call, event.at)
        call.operator_id = agent
        if call.ended_at is None:
            batch.book.set(agent, AgentState.ON_CALL, event.at, call=call)
        publish_on_commit(user_channel(agent), {"type": "answered", "call": call.pk})
    if call.outcome == Outcome.ABANDONED and call.logged_at is None:
        # "ended" came first and looked like an abandon: the call was in fact answered.
        call.outcome = ""
        Callback.objects.filter(call=call, status=CallbackStatus.OPEN).update(
            status=CallbackStatus.CANCELLED, note="answered after all"
        )


def _on_transferred(
    batch: _Batch, call: Call, event: CTIEventInput, agent: int | None, answer: dict[str, Any]
) -> None:
    previous = call.operator_id
    batch.transfers.append(
        CallTransfer(
            call=call,
            from_user_id=previous,
            to_user_id=agent,
            to_extension=event.extension,
            at=event.at,
        )
    )
    if previous is not None and previous != agent and call.ended_at is None:
        batch.book.set(previous, AgentState.WRAP_UP, event.at)
    if agent is not None:
        call.operator_id = agent
        if call.ended_at is None:
            batch.book.set(agent, AgentState.ON_CALL, event.at, call=call)
        publish_on_commit(user_channel(agent), {"type": "ring", "call": call.pk})
    if previous is not None:
        publish_on_commit(user_channel(previous), {"type": "transferred", "call": call.pk})


def _on_held(
    batch: _Batch, call: Call, event: CTIEventInput, agent: int | None, answer: dict[str, Any]
) -> None:
    """Holding changes nothing but the record of events."""


def _on_ended(
    batch: _Batch, call: Call, event: CTIEventInput, agent: int | None, answer: dict[str, Any]
) -> None:
    from callpulse.telephony.services import callback_for_missed, dial_result_record

    call.ended_at = event.at if call.ended_at is None else max(call.ended_at, event.at)
    if call.ringing_at is None:
        call.ringing_at = event.at
    operator = call.operator_id
    if operator is not None:
        after = AgentState.WRAP_UP if call.answered_at is not None else AgentState.AVAILABLE
        batch.book.set(operator, after, event.at, while_on=call)
        publish_on_commit(user_channel(operator), {"type": "ended", "call": call.pk})
    if call.answered_at is None and not call.outcome:
        if call.direction == Direction.INBOUND:
            call.outcome = Outcome.ABANDONED
            callback_for_missed(call)
        else:
            call.outcome = Outcome.NO_ANSWER
    dial_result_record(call=call)  # an outbound call placed by a dial command: its result


_HANDLERS: dict[str, Handler] = {
    CTIEventType.RINGING: _on_ringing,
    CTIEventType.ANSWERED: _on_answered,
    CTIEventType.TRANSFERRED: _on_transferred,
    CTIEventType.HELD: _on_held,
    CTIEventType.ENDED: _on_ended,
}


def derive_call(call: Call) -> None:
    """Status and durations from the moments known so far (order of arrival does not matter)."""
    if call.ended_at is not None:
        call.status = CallStatus.ENDED
    elif call.answered_at is not None:
        call.status = CallStatus.ANSWERED
    else:
        call.status = CallStatus.RINGING
    if call.ringing_at is not None:
        waited_until = call.answered_at or call.ended_at
        if waited_until is not None:
            call.wait_seconds = max(0, round((waited_until - call.ringing_at).total_seconds()))
    if call.answered_at is not None and call.ended_at is not None:
        call.talk_seconds = max(0, round((call.ended_at - call.answered_at).total_seconds()))
    if call.logged_at is not None and call.ended_at is not None:
        call.wrap_up_seconds = max(0, round((call.logged_at - call.ended_at).total_seconds()))


# --- the background applier -----------------------------------------------------------------


class _Applier:
    """One thread per process applying the journal whenever an event arrives (or a poll)."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def nudge(self) -> None:
        """Wake the thread (starting it in this process on the first event)."""
        if self._thread is None or not self._thread.is_alive():
            with self._start_lock:
                if self._thread is None or not self._thread.is_alive():
                    self._stopping = False
                    self._thread = threading.Thread(
                        target=self._run, name="cti-applier", daemon=True
                    )
                    self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the batch in hand and end the thread (tests, orderly shutdown)."""
        thread = self._thread
        if thread is None:
            return
        self._stopping = True
        self._wake.set()
        thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        try:
            run_forever(self._wake, lambda: self._stopping)
        finally:
            connections.close_all()


def run_forever(
    wake: threading.Event, stopping: Callable[[], bool], poll_seconds: float = POLL_SECONDS
) -> None:
    """Drain the journal whenever woken, and at least every `poll_seconds`."""
    while not stopping():
        drain()
        if wake.wait(timeout=poll_seconds):
            # Let a few more events arrive: a batch costs a handful of statements whatever its
            # size, so under load this buys throughput for a few milliseconds of registry lag.
            time.sleep(LINGER_SECONDS)
        wake.clear()


def drain() -> int:
    """Apply until the journal is empty; how many events. Errors are logged, never raised."""
    applied = 0
    try:
        while True:
            taken = cti_events_apply()
            applied += taken
            if taken < BATCH_SIZE:
                return applied
    except Exception:
        logger.exception("CTI applier: will try again")
        connections.close_all()  # a broken connection is reopened on the next try
        time.sleep(0.5)
        return applied


APPLIER = _Applier()
