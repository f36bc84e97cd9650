"""The call registry, CTI events, agent states, callbacks and client remarks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class Purpose(models.TextChoices):
    ORDER = "order", _("Order")
    INFO = "info", _("Information")
    OTHER = "other", _("Other")


class CallStatus(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("In progress")
    ENDED = "ended", _("Ended")


class Outcome(models.TextChoices):
    ORDER_TAKEN = "order_taken", _("Order taken")
    INFORMATION_GIVEN = "information_given", _("Information given")
    TRANSFERRED = "transferred", _("Transferred")
    COMPLAINT = "complaint", _("Complaint")
    CALLBACK_PROMISED = "callback_promised", _("Callback promised")
    ABANDONED = "abandoned", _("Abandoned")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    OTHER = "other", _("Other")


class Call(models.Model):
    """One call, inbound or outbound, as the phone system reported it and the operator logged it."""

    call_id = models.CharField(_("call id"), max_length=100, unique=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INBOUND
    )
    from_number = models.CharField(_("from"), max_length=32, blank=True)
    caller_raw = models.CharField(
        _("caller as sent"),
        max_length=40,
        blank=True,
        help_text=_("What the phone system sent as the caller when it was not a phone number."),
    )
    to_number = models.CharField(_("to"), max_length=32, blank=True)
    client = models.ForeignKey(
        "crm.Client",
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    is_new_caller = models.BooleanField(_("new caller"), default=False)
    queue = models.CharField(_("queue"), max_length=60, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        help_text=_("Who has (or last had) the call."),
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CallStatus.choices, default=CallStatus.RINGING
    )
    ringing_at = models.DateTimeField(_("ringing at"), null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    logged_at = models.DateTimeField(_("outcome logged at"), null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("wait, s"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("talk, s"), null=True, blank=True)
    wrap_up_seconds = models.PositiveIntegerField(_("wrap-up, s"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    routing: models.JSONField[Any, Any] = models.JSONField(
        _("routing decision"), default=dict, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-ringing_at", "-pk"]
        indexes = [
            models.Index(fields=["operator", "status"]),
            models.Index(fields=["client", "ringing_at"]),
            models.Index(fields=["ended_at"], name="call_ended_unlogged", condition=Q(outcome="")),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.from_number} → {self.to_number}"


class CallTransfer(models.Model):
    """A hand-over of a call from one member of staff to another."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="transfers")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_extension = models.CharField(_("to extension"), max_length=16, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_user} → {self.to_user or self.to_extension}"


class CTIEventType(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    TRANSFERRED = "transferred", _("Transferred")
    HELD = "held", _("Held")
    ENDED = "ended", _("Ended")


class CTIEvent(models.Model):
    """An event as the phone system sent it, kept with the answer we gave (idempotency)."""

    event_id = models.CharField(_("event id"), max_length=100, unique=True)
    call_ref = models.CharField(_("call id"), max_length=100, default="")
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(_("type"), max_length=12, choices=CTIEventType.choices)
    at = models.DateTimeField(_("at"))
    payload: models.JSONField[Any, Any] = models.JSONField(_("payload"), default=dict)
    response: models.JSONField[Any, Any] = models.JSONField(_("response"), default=dict)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    applied_at = models.DateTimeField(
        _("applied at"),
        null=True,
        blank=True,
        help_text=_("When the event reached the call registry; empty while it waits."),
    )
    apply_error = models.TextField(
        _("not applied because"),
        blank=True,
        help_text=_("Why the event was set aside instead of applied."),
    )

    class Meta:
        verbose_name = _("CTI event")
        verbose_name_plural = _("CTI events")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["id"], name="ctievent_pending", condition=Q(applied_at=None))
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.call_ref}"


class AgentState(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RINGING = "ringing", _("Ringing")
    ON_CALL = "on_call", _("On a call")
    WRAP_UP = "wrap_up", _("Wrap-up")
    BREAK = "break", _("Break")
    OFFLINE = "offline", _("Offline")


class AgentStatus(models.Model):
    """Where an agent is right now; the history is in AgentStateSpan."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_status"
    )
    state = models.CharField(_("state"), max_length=10, choices=AgentState.choices)
    since = models.DateTimeField(_("since"))
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("agent status")
        verbose_name_plural = _("agent statuses")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_state_display()}"


class AgentStateSpan(models.Model):
    """Time spent in one state: occupancy and adherence read these."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_state_spans"
    )
    state = models.CharField(_("state"), max_length=10, choices=AgentState.choices)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent state span")
        verbose_name_plural = _("agent state history")
        ordering = ["user", "started_at"]
        indexes = [models.Index(fields=["user", "started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(ended_at__isnull=True), name="one_open_span_per_agent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.state} from {self.started_at:%H:%M}"

    @property
    def seconds(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


class CallbackReason(models.TextChoices):
    MISSED = "missed", _("Missed call")
    ABANDONED = "abandoned", _("Abandoned call")
    PROMISED = "promised", _("Promised by an operator")
    WEBSITE = "website", _("Website request")


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Gave up")


class CallbackPriority(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    HIGH = 1, _("High")
    URGENT = 2, _("Urgent")


class Callback(models.Model):
    """A call we owe a client, with the time it is due."""

    phone = models.CharField(_("number"), max_length=32)
    client = models.ForeignKey(
        "crm.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks"
    )
    reason = models.CharField(_("reason"), max_length=10, choices=CallbackReason.choices)
    due_at = models.DateTimeField(_("due at"), db_index=True)
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.OPEN
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # the website request: who, about what, when it suits them (in their own time zone)
    name = models.CharField(_("name"), max_length=120, blank=True)
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    window_start = models.DateTimeField(_("preferred from"), null=True, blank=True)
    window_end = models.DateTimeField(_("preferred until"), null=True, blank=True)
    client_timezone = models.CharField(_("client's time zone"), max_length=64, blank=True)
    requests = models.PositiveSmallIntegerField(
        _("requests"), default=1, help_text=_("Duplicate requests merged into this callback.")
    )
    priority = models.SmallIntegerField(
        _("priority"), choices=CallbackPriority.choices, default=CallbackPriority.NORMAL
    )
    # the queue: retries move due_at; the SLA is measured from first_due_at
    first_due_at = models.DateTimeField(_("first due at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    first_attempt_at = models.DateTimeField(_("first attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    reserved_until = models.DateTimeField(
        _("reserved until"),
        null=True,
        blank=True,
        help_text=_("Kept for the assigned operator until then; afterwards anyone may call."),
    )

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="callback_open_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(status="open"),
                name="one_open_callback_per_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phone} @ {self.due_at:%Y-%m-%d %H:%M}"


class ClientRemark(models.Model):
    """A client's remark or wish, passed to the department concerned."""

    client = models.ForeignKey("crm.Client", on_delete=models.CASCADE, related_name="remarks")
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="remarks"
    )
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="client_remarks"
    )
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("client remark")
        verbose_name_plural = _("client remarks")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class CommandKind(models.TextChoices):
    TRANSFER = "transfer", _("Transfer")
    DIAL = "dial", _("Dial")


class CommandStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DialResult(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    NO_ANSWER = "no_answer", _("No answer")
    FAILED = "failed", _("Not placed")


class PhoneCommand(models.Model):
    """A command for the phone system (transfer this call, dial this number): an outbox it polls.

    The result comes back as ordinary CTI events; `status` only says the phone system took it.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=CommandKind.choices)
    call = models.ForeignKey(
        Call, null=True, blank=True, on_delete=models.CASCADE, related_name="commands"
    )
    extension = models.CharField(
        _("extension"), max_length=16, blank=True, help_text=_("Whose phone acts or rings.")
    )
    number = models.CharField(_("number"), max_length=32, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CommandStatus.choices, default=CommandStatus.PENDING
    )
    callback = models.ForeignKey(
        Callback,
        verbose_name=_("callback"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commands",
    )
    result = models.CharField(
        _("result"),
        max_length=10,
        choices=DialResult.choices,
        blank=True,
        help_text=_("For a dial: how the call it placed ended (from the CTI events)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("phone command")
        verbose_name_plural = _("phone commands")
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "id"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.extension or self.number}"


class CallbackAttempt(models.Model):
    """One try at a callback: who dialled, when, and how it ended (the SLA and retries read it)."""

    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="attempt_log")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    command = models.OneToOneField(
        PhoneCommand,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callback_attempt",
    )
    at = models.DateTimeField(_("at"))
    result = models.CharField(_("result"), max_length=10, choices=DialResult.choices, blank=True)

    class Meta:
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.callback} #{self.pk}: {self.result or '…'}"
