"""Outbound work: call scripts, campaigns with their lists, attempts, dispositions and answers."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from callpulse.core.names import STANDARD_CAMPAIGN_TEXTS, name_if_standard

# --- scripts -------------------------------------------------------------------------------


class Script(models.Model):
    """A branching questionnaire the operator follows on the call (question → answer → next)."""

    name = models.CharField(_("name"), max_length=200)
    source = models.TextField(
        _("script text"), help_text=_("The steps as the head of sales wrote them.")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")
        ordering = ["name"]

    def __str__(self) -> str:
        return name_if_standard(self.name, STANDARD_CAMPAIGN_TEXTS)


class StepKind(models.TextChoices):
    CHOICE = "choice", _("Choose an answer")
    TEXT = "text", _("Free text")
    SAY = "say", _("Say only")


class ScriptStep(models.Model):
    """One question (or a line to say); the first by position is where the script starts."""

    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="steps")
    key = models.SlugField(_("key"), max_length=40)
    text = models.TextField(_("question"))
    kind = models.CharField(_("kind"), max_length=10, choices=StepKind.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    next_step = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("For free text and lines to say: what comes next (empty: the end)."),
    )

    class Meta:
        verbose_name = _("script step")
        verbose_name_plural = _("script steps")
        ordering = ["script", "position"]
        constraints = [
            models.UniqueConstraint(fields=["script", "key"], name="script_step_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text[:60]}"


class ScriptAnswer(models.Model):
    """An answer to a choice step and where it leads (empty: the script ends)."""

    step = models.ForeignKey(ScriptStep, on_delete=models.CASCADE, related_name="answers")
    label = models.CharField(_("answer"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"))
    next_step = models.ForeignKey(
        ScriptStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("script answer")
        verbose_name_plural = _("script answers")
        ordering = ["step", "position"]

    def __str__(self) -> str:
        return self.label


# --- campaigns -----------------------------------------------------------------------------


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    FINISHED = "finished", pgettext_lazy("campaign", "Finished")


class Segment(models.TextChoices):
    DORMANT = "dormant", _("Dormant clients (no order for N days)")
    CLIENT_TYPE = "client_type", _("Clients of a type")
    REGION = "region", _("Clients of a region")
    PRODUCT = "product", _("Clients who bought a product")
    IMPORT = "import", _("Imported list (CSV/XLSX)")
    CAR_BUYERS_7D = "car_buyers_7d", _("Car buyers 7 days after delivery (pending)")
    VISITS_TOMORROW = "visits_tomorrow", _("Visits booked for tomorrow (pending)")


# Segments whose source data has no module yet (car-service front desk): listed, never filled.
PENDING_SEGMENTS = frozenset({Segment.CAR_BUYERS_7D, Segment.VISITS_TOMORROW})


class Campaign(models.Model):
    """An outbound campaign: a list from a segment, a script, dispositions and attempt rules."""

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="campaigns_owned",
    )
    goal = models.CharField(_("goal"), max_length=255, blank=True)
    instruction = models.TextField(_("instruction"), blank=True)
    script = models.ForeignKey(
        Script,
        verbose_name=_("script"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    segment = models.CharField(_("segment"), max_length=20, choices=Segment.choices)
    segment_params: models.JSONField[Any, Any] = models.JSONField(
        _("segment parameters"), default=dict, blank=True
    )
    regenerate_daily = models.BooleanField(
        _("regenerate the list every day"),
        default=False,
        help_text=_("manage.py campaigns_daily adds the segment's new clients each morning."),
    )
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned operators"),
        blank=True,
        related_name="campaigns_assigned",
    )
    retry_minutes = models.PositiveIntegerField(_("retry after, minutes"), default=60)
    max_attempts = models.PositiveSmallIntegerField(_("attempts at most"), default=3)
    calling_from = models.TimeField(_("call from (client's time)"), default=time(9, 0))
    calling_until = models.TimeField(_("call until (client's time)"), default=time(20, 0))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    list_built_on = models.DateField(_("list built on"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_attempts__gte=1), name="campaign_attempts_gte_1"
            ),
            models.CheckConstraint(
                condition=Q(calling_from__lt=models.F("calling_until")),
                name="campaign_calling_hours_order",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The demo campaign's name in the reader's language; any other as typed."""
        return name_if_standard(self.name, STANDARD_CAMPAIGN_TEXTS)

    @property
    def display_goal(self) -> str:
        return name_if_standard(self.goal, STANDARD_CAMPAIGN_TEXTS)

    @property
    def display_instruction(self) -> str:
        return name_if_standard(self.instruction, STANDARD_CAMPAIGN_TEXTS)


class Disposition(models.Model):
    """How a campaign call ended, as the operator logs it; the flags drive what happens next."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="dispositions")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=120)
    reached = models.BooleanField(_("client reached"), default=False)
    retry = models.BooleanField(
        _("retry"), default=False, help_text=_("Call again by the campaign's attempt rules.")
    )
    do_not_call = models.BooleanField(
        _("refused further calls"), default=False, help_text=_("Adds the number to do-not-call.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("disposition")
        verbose_name_plural = _("dispositions")
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="disposition_code_unique"),
        ]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        """The label in the reader's language when it is one of the standard ones (stored in the
        language of whoever created the campaign); a label someone typed is shown as typed."""
        return disposition_label(self.label)


class RecordStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    IN_PROGRESS = "in_progress", _("With an operator")
    DONE = "done", _("Done")
    FAILED = "failed", _("Attempts used up")
    EXCLUDED = "excluded", _("Excluded (do not call)")


class CampaignRecord(models.Model):
    """One number to call in a campaign; handed to one operator at a time."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="records")
    client = models.ForeignKey(
        "crm.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    phone = models.CharField(_("number"), max_length=16)
    name = models.CharField(_("name"), max_length=200, blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Almaty")
    data: models.JSONField[Any, Any] = models.JSONField(_("extra data"), default=dict, blank=True)
    list_day = models.DateField(_("list of"))
    status = models.CharField(
        _("status"), max_length=12, choices=RecordStatus.choices, default=RecordStatus.PENDING
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handed_out_at = models.DateTimeField(_("handed out at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    disposition = models.ForeignKey(
        Disposition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign record")
        verbose_name_plural = _("campaign records")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["campaign", "next_attempt_at", "id"],
                name="record_to_hand_out",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["campaign", "status"], name="record_campaign_status"),
            models.Index(fields=["assigned_to", "status"], name="record_operator_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "phone", "list_day"], name="record_once_per_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.phone} ({self.get_status_display()})"


class CampaignAttempt(models.Model):
    """One call of a record: the dial command, the disposition, the answers, an order started."""

    record = models.ForeignKey(CampaignRecord, on_delete=models.CASCADE, related_name="attempt_log")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    command = models.OneToOneField(
        "telephony.PhoneCommand",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_attempt",
    )
    started_at = models.DateTimeField(_("started at"))
    disposition = models.ForeignKey(
        Disposition, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts"
    )
    notes = models.TextField(_("notes"), blank=True)
    logged_at = models.DateTimeField(_("logged at"), null=True, blank=True)
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_attempts",
        help_text=_("The order started from this call: credited to the campaign."),
    )

    class Meta:
        verbose_name = _("campaign attempt")
        verbose_name_plural = _("campaign attempts")
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.record} @ {self.started_at:%Y-%m-%d %H:%M}"


class ScriptResponse(models.Model):
    """One answer given on a call, kept in words too so results survive script edits."""

    attempt = models.ForeignKey(CampaignAttempt, on_delete=models.CASCADE, related_name="responses")
    step = models.ForeignKey(
        ScriptStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    answer = models.ForeignKey(
        ScriptAnswer, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    step_key = models.CharField(_("step"), max_length=40)
    question = models.TextField(_("question"))
    value = models.TextField(_("answer"))
    position = models.PositiveSmallIntegerField(_("order on the call"))

    class Meta:
        verbose_name = _("script response")
        verbose_name_plural = _("script responses")
        ordering = ["attempt", "position"]

    def __str__(self) -> str:
        return f"{self.step_key}: {self.value[:60]}"


def disposition_label(label: str) -> str:
    return gettext(label) if label else label
