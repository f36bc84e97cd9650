"""Demo outbound work: a survey script, a dormant-clients campaign worked a little, and a few
website "call me back" requests on the callback queue.

Runs after the main demo (staff, clients, orders, calls). Deterministic from `seed` and `now`.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from callpulse.campaigns import services
from callpulse.campaigns.models import (
    Campaign,
    CampaignAttempt,
    CampaignRecord,
    CampaignStatus,
    RecordStatus,
    ScriptResponse,
    ScriptStep,
    Segment,
)
from callpulse.core.models import User
from callpulse.core.names import (
    DEMO_CAMPAIGN_GOAL,
    DEMO_CAMPAIGN_INSTRUCTION,
    DEMO_CAMPAIGN_NAME,
    DEMO_SCRIPT_NAME,
)
from callpulse.core.roles import RoleCode
from callpulse.crm.models import Phone
from callpulse.telephony.models import Callback, CallbackPriority, CallbackReason, CallbackStatus

DEMO_SCRIPT = """\
greet: Hello! This is the contact center. Do you have a minute?
  - Yes -> reason
  - No, call me later -> end
reason: We have not had your orders for a while. Why is that?
  - Prices are higher elsewhere -> offer
  - No need at the moment -> offer
  - Unhappy with the service -> what
what: What went wrong? [text]
  -> offer
offer: This month new products and 5% off your next order. Shall I take an order now?
  - Yes -> end
  - Send me the price list -> end
  - No -> end
"""
NAMES = ("Айгерим", "Ержан", "Дана", "Нурлан", "Асель", "Тимур")
COMPLAINTS = ("Late deliveries", "Wrong items in the order", "Nobody called back")
TOPICS = ("Цены на новинки", "Условия доставки", "Хочу стать дилером", "Счёт на оплату")


def _by_role(role: str) -> User | None:
    return User.objects.filter(roles__code=role, is_active=True).order_by("pk").first()


@transaction.atomic
def build_demo(*, seed: int, now: datetime) -> dict[str, int]:
    """A script, an active dormant-clients campaign with some calls logged, website requests."""
    rng = random.Random(seed)
    counts = {"campaigns": 0, "campaign_records": 0, "campaign_attempts": 0, "web_callbacks": 0}
    head = _by_role(RoleCode.HEAD_OF_SALES) or _by_role(RoleCode.DIRECTOR)
    operators = list(
        User.objects.filter(roles__code=RoleCode.OPERATOR, is_active=True, extension__isnull=False)
        .order_by("pk")
        .distinct()[:6]
    )
    if head is None or not operators:
        return counts
    if not Campaign.objects.filter(name=DEMO_CAMPAIGN_NAME).exists():
        script = services.script_save(actor=head, name=DEMO_SCRIPT_NAME, source=DEMO_SCRIPT)
        campaign = services.campaign_create(
            actor=head,
            data=services.CampaignInput(
                name=DEMO_CAMPAIGN_NAME,
                segment=Segment.DORMANT,
                segment_params={"days": 60},
                owner=head,
                goal=DEMO_CAMPAIGN_GOAL,
                instruction=DEMO_CAMPAIGN_INSTRUCTION,
                script=script,
                operators=operators,
            ),
        )
        campaign.status, campaign.started_at = CampaignStatus.ACTIVE, now
        campaign.save(update_fields=["status", "started_at"])
        counts["campaigns"] = 1
        counts["campaign_records"] = services.campaign_build_list(campaign=campaign, at=now)
        _log_some_calls(campaign, operators, rng, now, counts)
    counts["web_callbacks"] = _website_requests(rng, now)
    return counts


def _log_some_calls(
    campaign: Campaign, operators: list[User], rng: random.Random, now: datetime, counts: dict
) -> None:
    """A morning's work: a fifth of the list called, dispositions spread as they usually are."""
    dispositions = {d.code: d for d in campaign.dispositions.all()}
    weights = {"no_answer": 4, "not_interested": 3, "interested": 3, "call_later": 2, "busy": 1}
    codes = list(weights)
    records = list(campaign.records.order_by("pk")[: max(1, campaign.records.count() // 5)])
    attempts: list[CampaignAttempt] = []
    for index, record in enumerate(records):
        code = rng.choices(codes, weights=[weights[c] for c in codes])[0]
        disposition = dispositions[code]
        at = now - timedelta(minutes=5 * (len(records) - index))
        attempts.append(
            CampaignAttempt(
                record=record,
                operator=operators[index % len(operators)],
                started_at=at,
                disposition=disposition,
                logged_at=at + timedelta(minutes=3),
            )
        )
        record.attempts = 1
        record.disposition = disposition
        if disposition.retry:
            record.status = RecordStatus.PENDING
            record.next_attempt_at = at + timedelta(minutes=campaign.retry_minutes)
        else:
            record.status, record.done_at = RecordStatus.DONE, at
    CampaignAttempt.objects.bulk_create(attempts)
    _answer_scripts(campaign, attempts, rng)
    CampaignRecord.objects.bulk_update(
        records, ["attempts", "disposition", "status", "next_attempt_at", "done_at"]
    )
    counts["campaign_attempts"] = len(attempts)


def _answer_scripts(
    campaign: Campaign, attempts: list[CampaignAttempt], rng: random.Random
) -> None:
    """The reached clients went through the script: greet, why they stopped, the offer."""
    if campaign.script is None:
        return
    steps = {s.key: s for s in campaign.script.steps.prefetch_related("answers")}
    reasons = list(steps["reason"].answers.all())
    offers = list(steps["offer"].answers.all())
    greet_yes = steps["greet"].answers.get(position=0)
    responses: list[ScriptResponse] = []

    def answer(attempt: CampaignAttempt, step: ScriptStep, value: str, chosen: Any, n: int) -> None:
        responses.append(
            ScriptResponse(
                attempt=attempt,
                step=step,
                answer=chosen,
                step_key=step.key,
                question=step.text,
                value=value,
                position=n,
            )
        )

    for attempt in attempts:
        if attempt.disposition is None or not attempt.disposition.reached:
            continue
        answer(attempt, steps["greet"], greet_yes.label, greet_yes, 0)
        reason = rng.choices(reasons, weights=[3, 4, 2])[0]
        answer(attempt, steps["reason"], reason.label, reason, 1)
        position = 2
        if reason.next_step_id == steps["what"].pk:
            answer(attempt, steps["what"], rng.choice(COMPLAINTS), None, position)
            position += 1
        offer = rng.choices(offers, weights=[1, 2, 3])[0]
        answer(attempt, steps["offer"], offer.label, offer, position)
    ScriptResponse.objects.bulk_create(responses)


def _website_requests(rng: random.Random, now: datetime) -> int:
    """A few "call me back" requests from the website, for today and tomorrow."""
    taken = set(Callback.objects.filter(status=CallbackStatus.OPEN).values_list("phone", flat=True))
    known = list(Phone.objects.select_related("client").order_by("pk")[:50])
    rng.shuffle(known)
    local = timezone.localtime(now)
    created = []
    for n in range(5):
        day = local.date() + timedelta(days=n % 2 + (1 if local.hour >= 17 else 0))
        start = datetime.combine(day, time(10 + 2 * (n % 4)), tzinfo=local.tzinfo)
        phone = known[n] if n < len(known) and n % 2 == 0 else None
        number = phone.number if phone else f"+7701{rng.randrange(10**7):07d}"
        if number in taken:
            continue
        taken.add(number)
        created.append(
            Callback(
                phone=number,
                client=phone.client if phone else None,
                reason=CallbackReason.WEBSITE,
                due_at=start,
                first_due_at=start,
                name=NAMES[n % len(NAMES)],
                topic=TOPICS[n % len(TOPICS)],
                window_start=start,
                window_end=start + timedelta(hours=2),
                client_timezone="Asia/Almaty",
                priority=CallbackPriority.HIGH,
            )
        )
    Callback.objects.bulk_create(created)
    return len(created)
