"""Outbound work: campaigns and their lists, the next-record hand-out, dialing, dispositions,
scripts and answers, do-not-call, the end-of-campaign report.

Dial commands are created only by `telephony.services.dial_request`, which enforces the
do-not-call list and the client's calling hours for every path; the hand-out skips do-not-call
numbers and clients outside their calling hours too, so an operator is never given one.
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from callpulse.campaigns.models import (
    PENDING_SEGMENTS,
    Campaign,
    CampaignAttempt,
    CampaignRecord,
    CampaignStatus,
    Disposition,
    RecordStatus,
    Script,
    ScriptAnswer,
    ScriptResponse,
    ScriptStep,
    Segment,
)
from callpulse.campaigns.roles import CAMPAIGN_MANAGERS, DNC_EDITORS, SCRIPT_EDITORS
from callpulse.campaigns.scripts import END, parse_script
from callpulse.core import imports
from callpulse.core.exports import unescape_text
from callpulse.core.models import User
from callpulse.core.phones import normalize_phone
from callpulse.core.roles import user_has_role
from callpulse.core.services import audit_record, notification_send
from callpulse.core.validators import forbidden_character
from callpulse.crm.models import Client, DoNotCall, Phone
from callpulse.orders import services as order_services
from callpulse.orders.models import Order
from callpulse.telephony import services as telephony
from callpulse.telephony.models import Callback, CallbackStatus, PhoneCommand

DEFAULT_DISPOSITIONS: tuple[tuple[str, str, bool, bool, bool], ...] = (
    # code, label (translated when the campaign is created), reached, retry, do_not_call
    ("interested", gettext_noop("Interested"), True, False, False),
    ("order", gettext_noop("Order placed"), True, False, False),
    ("not_interested", gettext_noop("Not interested"), True, False, False),
    ("call_later", gettext_noop("Asked to call later"), True, True, False),
    ("no_answer", gettext_noop("No answer"), False, True, False),
    ("busy", gettext_noop("Busy"), False, True, False),
    ("wrong_number", gettext_noop("Wrong number"), False, False, False),
    ("refused", gettext_noop("Refused further calls"), True, False, True),
)
STALE_HAND_OUT = timedelta(hours=2)
# campaign id → (when read, the time zones of its waiting records); per process
_CAMPAIGN_ZONES: dict[int, tuple[float, frozenset[str]]] = {}
ZONES_TTL_SECONDS = 300.0


def _ensure(actor: User, roles: frozenset[str], message: str) -> None:
    if not user_has_role(actor, roles):
        raise PermissionDenied(message)


# --- do-not-call -----------------------------------------------------------------------------


@transaction.atomic
def dnc_add(
    *, actor: User, number: str, reason: str = "", client: Client | None = None
) -> DoNotCall:
    """Put a number on the do-not-call list: its open callbacks close, campaigns skip it."""
    _ensure(actor, DNC_EDITORS, _("Your role does not record refusals."))
    try:
        e164 = normalize_phone(number)
    except ValidationError as exc:
        raise ValidationError({"number": exc.messages}) from exc
    if client is None:
        client = Client.objects.filter(phones__number=e164).first()
    entry, created = DoNotCall.objects.get_or_create(
        number=e164, defaults={"client": client, "reason": reason[:255], "created_by": actor}
    )
    Callback.objects.filter(phone=e164, status=CallbackStatus.OPEN).update(
        status=CallbackStatus.CANCELLED, done_at=timezone.now(), note="do not call"
    )
    CampaignRecord.objects.filter(
        phone=e164, status__in=[RecordStatus.PENDING, RecordStatus.IN_PROGRESS]
    ).update(status=RecordStatus.EXCLUDED, assigned_to=None)
    if created:
        audit_record(actor=actor, action="dnc.add", target=entry, changes={"reason": reason})
    return entry


@transaction.atomic
def client_refuses_calls(*, actor: User, client: Client, reason: str = "") -> list[DoNotCall]:
    """One click: every number of the client goes on the do-not-call list."""
    numbers = list(Phone.objects.filter(client=client).values_list("number", flat=True))
    if not numbers:
        raise ValidationError({"client": _("The client has no phone numbers.")})
    why = reason or _("The client refused calls.")
    return [dnc_add(actor=actor, number=n, reason=why, client=client) for n in numbers]


@transaction.atomic
def dnc_remove(*, actor: User, entry: DoNotCall) -> None:
    """Only the head of sales or the director takes a number off the list (audited)."""
    _ensure(actor, SCRIPT_EDITORS, _("Only the head of sales or the director may do this."))
    audit_record(actor=actor, action="dnc.remove", target=entry, changes={"number": entry.number})
    entry.delete()


# --- scripts -----------------------------------------------------------------------------------


@transaction.atomic
def script_save(*, actor: User, name: str, source: str, script: Script | None = None) -> Script:
    """Create or rewrite a script from its text; steps and answers are replaced as a whole."""
    _ensure(actor, SCRIPT_EDITORS, _("Only the head of sales edits call scripts."))
    if not name.strip():
        raise ValidationError({"name": _("Name the script.")})
    parsed = parse_script(source)
    if script is None:
        script = Script.objects.create(name=name.strip(), source=source, updated_by=actor)
    else:
        script.name, script.source, script.updated_by = name.strip(), source, actor
        script.save()
        script.steps.all().delete()
    steps = {
        p.key: ScriptStep.objects.create(
            script=script, key=p.key, text=p.text, kind=p.kind, position=i
        )
        for i, p in enumerate(parsed)
    }

    def target(key: str | None) -> ScriptStep | None:
        return None if not key or key.lower() == END else steps[key]

    for p in parsed:
        step = steps[p.key]
        if p.kind == "choice":
            ScriptAnswer.objects.bulk_create(
                ScriptAnswer(step=step, label=a.label, position=i, next_step=target(a.target))
                for i, a in enumerate(p.answers)
            )
        elif p.next_key:
            step.next_step = target(p.next_key)
            step.save(update_fields=["next_step"])
    return script


def _script_path(script: Script, answers: dict[str, str]) -> list[tuple[ScriptStep, str, Any]]:
    """Walk the script with the given answers: [(step, value, answer)], or a ValidationError.

    Answers must follow the branches: one for each step on the path, in order, none elsewhere.
    A call may stop early (the client hung up): then the path simply ends sooner.
    """
    steps = list(script.steps.prefetch_related("answers").order_by("position"))
    if not steps:
        return []
    by_pk = {s.pk: s for s in steps}
    path: list[tuple[ScriptStep, str, Any]] = []
    used: set[str] = set()
    step: ScriptStep | None = steps[0]
    while step is not None:
        value = (answers.get(step.key) or "").strip()
        if step.kind == "say":
            path.append((step, "", None))
            used.add(step.key)
            step = by_pk.get(step.next_step_id) if step.next_step_id else None
            continue
        if not value:
            break
        used.add(step.key)
        if step.kind == "text":
            path.append((step, value, None))
            step = by_pk.get(step.next_step_id) if step.next_step_id else None
            continue
        chosen = next((a for a in step.answers.all() if a.label == value), None)
        if chosen is None:
            raise ValidationError(
                {
                    f"answers.{step.key}": _("“%(value)s” is not an answer to “%(question)s”.")
                    % {"value": value, "question": step.text}
                }
            )
        path.append((step, value, chosen))
        step = by_pk.get(chosen.next_step_id) if chosen.next_step_id else None
    stray = [k for k, v in answers.items() if (v or "").strip() and k not in used]
    if stray:
        raise ValidationError(
            {
                f"answers.{stray[0]}": _(
                    "The answers given do not lead to this question; clear it or change them."
                )
            }
        )
    return path


# --- campaigns and their lists -------------------------------------------------------------


@dataclass(frozen=True)
class CampaignInput:
    name: str
    segment: str
    owner: User | None = None
    goal: str = ""
    instruction: str = ""
    script: Script | None = None
    segment_params: dict[str, Any] = field(default_factory=dict)
    operators: Sequence[User] = ()
    retry_minutes: int = 60
    max_attempts: int = 3
    calling_from: time = time(9, 0)
    calling_until: time = time(20, 0)
    regenerate_daily: bool = False
    ends_on: date | None = None


def _validate_campaign(data: CampaignInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = _("Name the campaign.")
    if data.segment not in Segment.values:
        errors["segment"] = _("Choose a segment.")
    params = data.segment_params
    if data.segment == Segment.DORMANT:
        days = params.get("days")
        if not isinstance(days, int) or not 1 <= days <= 3650:
            errors["segment_params"] = _("Give the number of days without an order (1–3650).")
    elif data.segment in (Segment.CLIENT_TYPE, Segment.REGION):
        if not params.get("values"):
            errors["segment_params"] = _("Choose at least one type or region.")
    elif data.segment == Segment.PRODUCT and not params.get("sku"):
        errors["segment_params"] = _("Give the product's SKU.")
    if not 1 <= data.max_attempts <= 20:
        errors["max_attempts"] = _("Between 1 and 20 attempts.")
    if not 5 <= data.retry_minutes <= 7 * 24 * 60:
        errors["retry_minutes"] = _("Between 5 minutes and a week.")
    start, end = telephony.calling_hours()
    if not (start <= data.calling_from < data.calling_until <= end):
        errors["calling_from"] = _(
            "Calling hours must lie within %(start)s–%(end)s on the client's clock."
        ) % {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
    bad = [u for u in data.operators if not user_has_role(u, telephony.CALLERS)]
    if bad:
        errors["operators"] = _("%(name)s does not place calls.") % {"name": bad[0]}
    return errors


@transaction.atomic
def campaign_create(*, actor: User, data: CampaignInput) -> Campaign:
    """A new campaign (draft) with the standard dispositions; the list is built at start."""
    _ensure(actor, CAMPAIGN_MANAGERS, _("Only the head of sales or a supervisor runs campaigns."))
    errors = _validate_campaign(data)
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        name=data.name.strip(),
        owner=data.owner or actor,
        goal=data.goal,
        instruction=data.instruction,
        script=data.script,
        segment=data.segment,
        segment_params=data.segment_params,
        regenerate_daily=data.regenerate_daily,
        retry_minutes=data.retry_minutes,
        max_attempts=data.max_attempts,
        calling_from=data.calling_from,
        calling_until=data.calling_until,
        ends_on=data.ends_on,
    )
    campaign.operators.set(data.operators)
    Disposition.objects.bulk_create(
        Disposition(
            campaign=campaign,
            code=code,
            label=_(label),
            reached=reached,
            retry=retry,
            do_not_call=dnc,
            position=i,
        )
        for i, (code, label, reached, retry, dnc) in enumerate(DEFAULT_DISPOSITIONS)
    )
    audit_record(actor=actor, action="campaign.create", target=campaign, changes={})
    return campaign


def segment_clients(campaign: Campaign, *, at: datetime) -> QuerySet[Client]:
    """The clients a segment selects today (empty for the pending car-service segments)."""
    clients = Client.objects.filter(is_active=True)
    params = campaign.segment_params
    if campaign.segment == Segment.DORMANT:
        cutoff = at - timedelta(days=int(params["days"]))
        return clients.filter(created_at__lt=cutoff).filter(
            Q(last_order_at__lt=cutoff) | Q(last_order_at__isnull=True)
        )
    if campaign.segment == Segment.CLIENT_TYPE:
        return clients.filter(client_type__code__in=params["values"])
    if campaign.segment == Segment.REGION:
        return clients.filter(region__in=params["values"])
    if campaign.segment == Segment.PRODUCT:
        return (
            clients.filter(
                orders__accepted_at__isnull=False,
                orders__lines__product__sku=params["sku"],
            )
            .exclude(orders__status="cancelled")
            .distinct()
        )
    return clients.none()  # import: no clients; car-service segments: pending


@transaction.atomic
def campaign_build_list(*, campaign: Campaign, at: datetime | None = None) -> int:
    """Add today's list from the segment: one record per client (first number), DNC left out.

    Safe to run twice a day: a number is on a day's list once.
    """
    moment = at or timezone.now()
    day = timezone.localdate(moment)
    if campaign.segment in PENDING_SEGMENTS or campaign.segment == Segment.IMPORT:
        return 0
    blocked = set(DoNotCall.objects.values_list("number", flat=True))
    clients = segment_clients(campaign, at=moment).prefetch_related("phones")
    records: list[CampaignRecord] = []
    for client in clients.iterator(chunk_size=2000):
        phones = [p.number for p in client.phones.all() if p.number not in blocked]
        if not phones:
            continue
        records.append(
            CampaignRecord(
                campaign=campaign,
                client=client,
                phone=phones[0],
                name=client.name,
                timezone=client.timezone,
                list_day=day,
                next_attempt_at=moment,
            )
        )
    before = CampaignRecord.objects.filter(campaign=campaign).count()
    CampaignRecord.objects.bulk_create(records, batch_size=2000, ignore_conflicts=True)
    _CAMPAIGN_ZONES.pop(campaign.pk, None)
    campaign.list_built_on = day
    campaign.save(update_fields=["list_built_on"])
    return CampaignRecord.objects.filter(campaign=campaign).count() - before


@dataclass
class ImportResult:
    added: int = 0
    duplicates: int = 0
    do_not_call: int = 0
    errors: list[str] = field(default_factory=list)


def _cell_text(value: object) -> str:
    """A cell as stripped text, without the quote our exports put before a formula-like value."""
    return "" if value is None else unescape_text(str(value).strip())


def _xlsx_rows(content: bytes) -> Iterable[Sequence[object]]:
    """The first sheet's rows, streamed; the archive is checked before openpyxl parses it."""
    from openpyxl import load_workbook

    stream = io.BytesIO(content)
    imports.check_xlsx(stream)
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise ValidationError({"file": _("This is not a readable XLSX file.")}) from exc
    try:
        sheet = book.active
        if sheet is not None:
            yield from sheet.iter_rows(values_only=True)
    except imports.UnreadableUpload:
        raise
    except Exception as exc:  # the sheet's XML is parsed while the rows stream
        raise ValidationError({"file": _("This is not a readable XLSX file.")}) from exc
    finally:
        book.close()


def _csv_rows(content: bytes) -> Iterable[Sequence[object]]:
    text = imports.decode_csv(content)
    dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t") if text.strip() else "excel"
    return csv.reader(io.StringIO(text, newline=""), dialect)


def _read_rows(name: str, content: bytes) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file as dicts by lower-cased header.

    The file passes `callpulse.core.imports` first: size and row limits, the CSV's encoding
    (detected), and no hostile XLSX; a refusal is a ValidationError on `file`.
    """
    lowered = name.lower()
    if not lowered.endswith((".xlsx", ".csv")):
        raise ValidationError({"file": _("Upload a .csv or .xlsx file.")})
    try:
        imports.check_size(len(content))
        raw = _xlsx_rows(content) if lowered.endswith(".xlsx") else _csv_rows(content)
        rows_iter = iter(raw)
        header = [_cell_text(cell).lower() for cell in next(rows_iter, [])]
        counter = imports.RowCounter()
        rows: list[dict[str, str]] = []
        for raw_row in rows_iter:
            cells = [_cell_text(cell) for cell in raw_row]
            if any(cells):
                counter.add()
                rows.append(dict(zip(header, cells, strict=False)))
    except imports.UnreadableUpload as exc:
        raise ValidationError({"file": str(exc)}) from exc
    except csv.Error as exc:
        raise ValidationError(
            {"file": _("The CSV file cannot be read: %(error)s") % {"error": exc}}
        ) from exc
    if header and "phone" not in header:
        raise ValidationError({"file": _("The first row must name the columns, with “phone”.")})
    return rows


@transaction.atomic
def campaign_import(
    *, actor: User, campaign: Campaign, name: str, content: bytes, at: datetime | None = None
) -> ImportResult:
    """Cold contacts from a file: columns phone (required), name, timezone, anything else kept.

    Bad rows are reported by row number and skipped; the good ones are added.
    """
    _ensure(actor, CAMPAIGN_MANAGERS, _("Only the head of sales or a supervisor runs campaigns."))
    if campaign.segment != Segment.IMPORT:
        raise ValidationError({"file": _("This campaign's list comes from a segment.")})
    moment = at or timezone.now()
    day = timezone.localdate(moment)
    result = ImportResult()
    blocked = set(DoNotCall.objects.values_list("number", flat=True))
    known = set(
        CampaignRecord.objects.filter(campaign=campaign, list_day=day).values_list(
            "phone", flat=True
        )
    )
    records: list[CampaignRecord] = []
    zones = zoneinfo.available_timezones()
    for index, row in enumerate(_read_rows(name, content), start=2):
        try:
            phone = normalize_phone(row.get("phone", ""))
        except ValidationError as exc:
            result.errors.append(
                _("Row %(row)d: %(error)s") % {"row": index, "error": exc.messages[0]}
            )
            continue
        character = forbidden_character(row.get("name", ""))
        if character is not None:
            result.errors.append(
                _("Row %(row)d, column name: remove the control character %(character)s.")
                % {"row": index, "character": character}
            )
            continue
        zone = row.get("timezone") or settings.TIME_ZONE
        if zone not in zones:
            result.errors.append(
                _("Row %(row)d: “%(zone)s” is not a time zone.") % {"row": index, "zone": zone}
            )
            continue
        if phone in blocked:
            result.do_not_call += 1
            continue
        if phone in known:
            result.duplicates += 1
            continue
        known.add(phone)
        extra = {k: v for k, v in row.items() if k not in ("phone", "name", "timezone") and v}
        client = Client.objects.filter(phones__number=phone).first()
        records.append(
            CampaignRecord(
                campaign=campaign,
                client=client,
                phone=phone,
                name=(row.get("name") or (client.name if client else ""))[:200],
                timezone=zone,
                data=extra,
                list_day=day,
                next_attempt_at=moment,
            )
        )
    CampaignRecord.objects.bulk_create(records, batch_size=2000)
    _CAMPAIGN_ZONES.pop(campaign.pk, None)
    result.added = len(records)
    audit_record(
        actor=actor,
        action="campaign.import",
        target=campaign,
        changes={"file": name, "added": result.added, "errors": len(result.errors)},
    )
    return result


@transaction.atomic
def campaign_set_status(*, actor: User, campaign: Campaign, status: str) -> Campaign:
    """Start (the list is built), pause, resume or finish (the owner gets the report)."""
    _ensure(actor, CAMPAIGN_MANAGERS, _("Only the head of sales or a supervisor runs campaigns."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.FINISHED:
        raise ValidationError({"status": _("The campaign has ended.")})
    if status == CampaignStatus.ACTIVE:
        if not campaign.operators.exists():
            raise ValidationError({"operators": _("Assign operators first.")})
        if campaign.started_at is None:
            campaign.started_at = timezone.now()
            campaign_build_list(campaign=campaign)
        campaign.status = CampaignStatus.ACTIVE
    elif status == CampaignStatus.PAUSED:
        campaign.status = CampaignStatus.PAUSED
    elif status == CampaignStatus.FINISHED:
        return campaign_finish(campaign=campaign)
    else:
        raise ValidationError({"status": _("Choose start, pause or finish.")})
    campaign.save()
    audit_record(actor=actor, action=f"campaign.{status}", target=campaign, changes={})
    return campaign


@transaction.atomic
def campaign_set_operators(
    *, actor: User, campaign: Campaign, operators: Sequence[User]
) -> Campaign:
    """Reassign the campaign's operators; records held by someone removed go back to the list."""
    _ensure(actor, CAMPAIGN_MANAGERS, _("Only the head of sales or a supervisor runs campaigns."))
    bad = [u for u in operators if not user_has_role(u, telephony.CALLERS)]
    if bad:
        raise ValidationError({"operators": _("%(name)s does not place calls.") % {"name": bad[0]}})
    campaign.operators.set(operators)
    CampaignRecord.objects.filter(campaign=campaign, status=RecordStatus.IN_PROGRESS).exclude(
        assigned_to__in=[u.pk for u in operators]
    ).update(status=RecordStatus.PENDING, assigned_to=None)
    audit_record(
        actor=actor,
        action="campaign.operators",
        target=campaign,
        changes={"operators": [u.pk for u in operators]},
    )
    return campaign


@transaction.atomic
def campaign_finish(*, campaign: Campaign, at: datetime | None = None) -> Campaign:
    """End the campaign and send its owner the report (in the app and by e-mail)."""
    from callpulse.campaigns.selectors import campaign_progress

    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.FINISHED:
        return campaign
    campaign.status = CampaignStatus.FINISHED
    campaign.finished_at = at or timezone.now()
    campaign.save()
    CampaignRecord.objects.filter(campaign=campaign, status=RecordStatus.IN_PROGRESS).update(
        status=RecordStatus.PENDING, assigned_to=None
    )
    progress = campaign_progress(campaign)
    body = _(
        "Records: %(total)d, done: %(done)d, reached: %(reached)d, orders: %(orders)d"
        " for %(revenue)s %(currency)s."
    ) % {
        "total": progress.total,
        "done": progress.done,
        "reached": progress.reached,
        "orders": progress.orders,
        "revenue": progress.revenue,
        "currency": settings.CALLPULSE_CURRENCY,
    }
    lines = [body, ""] + [f"{label}: {count}" for label, count in progress.dispositions]
    notification_send(
        recipient=campaign.owner,
        title=_("Campaign “%(name)s” has ended") % {"name": campaign.name},
        body="\n".join(lines),
        link=f"/campaigns/{campaign.pk}/",
        email=True,
    )
    return campaign


# --- the operator's preview mode ---------------------------------------------------------------


def _ensure_works(actor: User, campaign: Campaign, **annotations: Any) -> Campaign:
    """The campaign as it is now (the caller's copy may be stale), if the actor may work it."""
    assigned = Campaign.operators.through.objects.filter(
        campaign_id=OuterRef("pk"), user_id=actor.pk
    )
    campaign = Campaign.objects.annotate(assigned=Exists(assigned), **annotations).get(
        pk=campaign.pk
    )
    if campaign.status != CampaignStatus.ACTIVE:
        raise ValidationError({"campaign": _("The campaign is not active.")})
    if not campaign.assigned:  # type: ignore[attr-defined]
        raise PermissionDenied(_("You are not assigned to this campaign."))
    return campaign


_ZONES_CACHE: dict[tuple[str, time, time], frozenset[str]] = {}


def zones_in_calling_hours(*, at: datetime, start: time, end: time) -> frozenset[str]:
    """Time zones whose clock is within [start, end) at `at` (cached for the minute)."""
    key = (at.strftime("%Y%m%d%H%M"), start, end)
    zones = _ZONES_CACHE.get(key)
    if zones is None:
        zones = frozenset(
            z
            for z in zoneinfo.available_timezones()
            if telephony.within_calling_hours(tz=z, at=at, hours=(start, end))
        )
        if len(_ZONES_CACHE) > 64:
            _ZONES_CACHE.clear()
        _ZONES_CACHE[key] = zones
    return zones


def _campaign_zones(campaign: Campaign) -> frozenset[str]:
    """The time zones of the campaign's records (a handful), re-read every five minutes."""
    import time as clock

    cached = _CAMPAIGN_ZONES.get(campaign.pk)
    if cached is not None and clock.monotonic() - cached[0] < ZONES_TTL_SECONDS:
        return cached[1]
    zones = frozenset(
        CampaignRecord.objects.filter(campaign=campaign, status=RecordStatus.PENDING)
        .values_list("timezone", flat=True)
        .distinct()
        .order_by()
    )
    _CAMPAIGN_ZONES[campaign.pk] = (clock.monotonic(), zones)
    return zones


def _hand_out_candidates(campaign: Campaign, at: datetime) -> QuerySet[CampaignRecord]:
    """Due, waiting records of clients whose clock is within the calling hours, DNC left out."""
    in_hours = zones_in_calling_hours(
        at=at, start=campaign.calling_from, end=campaign.calling_until
    )
    zones = sorted(_campaign_zones(campaign) & in_hours)
    return (
        CampaignRecord.objects.filter(
            campaign=campaign,
            status=RecordStatus.PENDING,
            next_attempt_at__lte=at,
            timezone__in=zones,
        )
        .exclude(phone__in=DoNotCall.objects.values("number"))
        .order_by("next_attempt_at", "id")
    )


@transaction.atomic
def campaign_next_record(
    *, actor: User, campaign: Campaign, at: datetime | None = None
) -> CampaignRecord | None:
    """The next record for this operator, never the same one to two operators at once.

    PostgreSQL: the first pending row not locked by another transaction (SKIP LOCKED) is taken.
    SQLite serialises writers; a conditional update (pending → in progress) decides, and a
    lost race simply tries the next row. An operator who already holds a record gets it back.
    """
    moment = at or timezone.now()
    # one query: the campaign's state, the assignment, and a record the operator already holds
    held = CampaignRecord.objects.filter(
        campaign=OuterRef("pk"), assigned_to=actor.pk, status=RecordStatus.IN_PROGRESS
    ).values("pk")[:1]
    campaign = _ensure_works(actor, campaign, held_id=Subquery(held))
    if campaign.held_id is not None:  # type: ignore[attr-defined]
        return CampaignRecord.objects.get(pk=campaign.held_id)  # type: ignore[attr-defined]
    candidates = _hand_out_candidates(campaign, moment)
    skip_locked = connection.features.has_select_for_update_skip_locked
    for _attempt in range(10):
        if skip_locked:
            record = candidates.select_for_update(skip_locked=True).first()
        else:
            record = candidates.first()
        if record is None:
            return None
        taken = CampaignRecord.objects.filter(pk=record.pk, status=RecordStatus.PENDING).update(
            status=RecordStatus.IN_PROGRESS, assigned_to=actor, handed_out_at=moment
        )
        if taken:
            record.status, record.assigned_to, record.handed_out_at = (
                RecordStatus.IN_PROGRESS,
                actor,
                moment,
            )
            return record
    return None


def _held_record(actor: User, record: CampaignRecord) -> CampaignRecord:
    record = (
        CampaignRecord.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .get(pk=record.pk)
    )
    if record.status != RecordStatus.IN_PROGRESS or record.assigned_to_id != actor.pk:
        raise ValidationError({"record": _("This record is not yours to work now.")})
    return record


@transaction.atomic
def campaign_dial(
    *, actor: User, record: CampaignRecord, at: datetime | None = None
) -> CampaignAttempt:
    """Dial the record's number (click-to-call); the attempt is recorded with the command."""
    moment = at or timezone.now()
    record = _held_record(actor, record)
    campaign = _ensure_works(actor, record.campaign)
    command = telephony.dial_request(
        actor=actor,
        number=record.phone,
        client=record.client,
        tz=record.timezone,
        hours=(campaign.calling_from, campaign.calling_until),
        at=moment,
    )
    record.attempts += 1
    record.save(update_fields=["attempts"])
    return CampaignAttempt.objects.create(
        record=record, operator=actor, command=command, started_at=moment
    )


@transaction.atomic
def campaign_release(*, actor: User, record: CampaignRecord) -> CampaignRecord:
    """The operator hands a record back untouched (not now): someone else may take it."""
    record = _held_record(actor, record)
    if record.attempt_log.filter(logged_at__isnull=True).exists():
        raise ValidationError({"record": _("Log how the call ended first.")})
    record.status, record.assigned_to = RecordStatus.PENDING, None
    record.save(update_fields=["status", "assigned_to"])
    return record


@transaction.atomic
def campaign_disposition_log(
    *,
    actor: User,
    record: CampaignRecord,
    disposition: Disposition,
    notes: str = "",
    answers: dict[str, str] | None = None,
    at: datetime | None = None,
) -> CampaignRecord:
    """Log how the call ended and the script's answers; retry, finish or exclude the record.

    Retry dispositions (no answer, busy, call later) bring the record back after the campaign's
    retry minutes, moved into the client's calling hours, until the attempts are used up.
    """
    moment = at or timezone.now()
    record = _held_record(actor, record)
    campaign = record.campaign
    if disposition.campaign_id != campaign.pk:
        raise ValidationError({"disposition": _("Choose one of this campaign's dispositions.")})
    attempt = record.attempt_log.filter(logged_at__isnull=True).order_by("-pk").first()
    if attempt is None:
        raise ValidationError({"disposition": _("Dial the client first.")})
    path = _script_path(campaign.script, answers or {}) if campaign.script else []
    attempt.disposition, attempt.notes, attempt.logged_at = disposition, notes, moment
    attempt.save()
    ScriptResponse.objects.bulk_create(
        ScriptResponse(
            attempt=attempt,
            step=step,
            answer=answer,
            step_key=step.key,
            question=step.text,
            value=value,
            position=i,
        )
        for i, (step, value, answer) in enumerate(path)
        if step.kind != "say"
    )
    record.disposition = disposition
    record.assigned_to = None
    if disposition.do_not_call:
        dnc_add(actor=actor, number=record.phone, reason=disposition.label, client=record.client)
        record.status = RecordStatus.EXCLUDED
        record.done_at = moment
    elif disposition.retry and record.attempts < campaign.max_attempts:
        record.status = RecordStatus.PENDING
        record.next_attempt_at = telephony.next_calling_moment(
            tz=record.timezone,
            after=moment + timedelta(minutes=campaign.retry_minutes),
            hours=(campaign.calling_from, campaign.calling_until),
        )
    elif disposition.retry:
        record.status = RecordStatus.FAILED
        record.done_at = moment
    else:
        record.status = RecordStatus.DONE
        record.done_at = moment
    record.save()
    if (
        not CampaignRecord.objects.filter(
            campaign=campaign, status__in=[RecordStatus.PENDING, RecordStatus.IN_PROGRESS]
        ).exists()
        and not campaign.regenerate_daily
    ):
        campaign_finish(campaign=campaign, at=moment)
    return record


@transaction.atomic
def campaign_order_start(*, actor: User, record: CampaignRecord) -> Order:
    """Start an order from the campaign call: the order is credited to the campaign."""
    record = _held_record(actor, record)
    if record.client is None:
        raise ValidationError({"client": _("Create the client's card first.")})
    attempt = record.attempt_log.order_by("-pk").select_related("command").first()
    if attempt is None:
        raise ValidationError({"record": _("Dial the client first.")})
    command: PhoneCommand | None = attempt.command
    call_id = command.call_id if command is not None else None
    order = order_services.order_start(actor=actor, client=record.client, call_id=call_id)
    attempt.order = order
    attempt.save(update_fields=["order"])
    return order


# --- the daily job -------------------------------------------------------------------------------


@dataclass
class DailyReport:
    lists_built: dict[str, int] = field(default_factory=dict)
    released: int = 0
    finished: list[str] = field(default_factory=list)
    pending_segments: list[str] = field(default_factory=list)


def campaigns_daily(*, at: datetime | None = None) -> DailyReport:
    """Every morning: regenerate scheduled lists, hand back stale records, end due campaigns."""
    moment = at or timezone.now()
    today = timezone.localdate(moment)
    report = DailyReport()
    report.released = CampaignRecord.objects.filter(
        status=RecordStatus.IN_PROGRESS, handed_out_at__lt=moment - STALE_HAND_OUT
    ).update(status=RecordStatus.PENDING, assigned_to=None)
    for campaign in Campaign.objects.filter(status=CampaignStatus.ACTIVE):
        if campaign.ends_on is not None and campaign.ends_on < today:
            campaign_finish(campaign=campaign, at=moment)
            report.finished.append(campaign.name)
            continue
        if campaign.segment in PENDING_SEGMENTS:
            report.pending_segments.append(campaign.name)
            continue
        if campaign.regenerate_daily and campaign.list_built_on != today:
            report.lists_built[campaign.name] = campaign_build_list(campaign=campaign, at=moment)
    return report


def operators_choice() -> Iterable[User]:
    return User.objects.filter(is_active=True, roles__code="operator").order_by(
        "full_name", "username"
    )
