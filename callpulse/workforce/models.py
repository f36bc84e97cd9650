"""Workforce planning data: arrival history, parameters, shift templates, jobs and their results.

The engine (`callpulse.wfm`) computes; these tables keep what it was fed and what it returned, so
a planner can see a forecast against what really came, and operators their published shifts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import formats, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from callpulse.core.names import STANDARD_SHIFT_TEMPLATES, name_if_standard


class HistorySource(models.TextChoices):
    CSV = "csv", _("CSV import")
    CALLS = "calls", _("Call registry")


class ArrivalRecord(models.Model):
    """Calls that arrived in one interval (and their mean handle time), the forecast's input."""

    queue = models.CharField(_("queue"), max_length=60, blank=True, default="")
    start = models.DateTimeField(_("interval start"))
    interval_minutes = models.PositiveSmallIntegerField(_("interval, min"), default=30)
    calls = models.PositiveIntegerField(_("calls"))
    aht_seconds = models.FloatField(_("AHT, s"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=HistorySource.choices)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("arrival record")
        verbose_name_plural = _("arrival history")
        ordering = ["queue", "start"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "start"], name="arrival_one_per_interval"),
            models.CheckConstraint(
                condition=Q(aht_seconds__isnull=True) | Q(aht_seconds__gt=0),
                name="arrival_aht_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue or '*'} {self.start:%Y-%m-%d %H:%M}: {self.calls}"


class SpecialDay(models.Model):
    """A day unlike its weekday (holiday, promotion): the forecast treats it apart."""

    day = models.DateField(_("day"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("special day")
        verbose_name_plural = _("special days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"


class StaffingModel(models.TextChoices):
    ERLANG_C = "erlang_c", _("Erlang C (callers wait)")
    ERLANG_A = "erlang_a", _("Erlang A (callers hang up)")


class PlanningParameters(models.Model):
    """The planner's targets and assumptions; one row (see `selectors.planning_parameters`)."""

    interval_minutes = models.PositiveSmallIntegerField(
        _("interval, min"),
        default=30,
        choices=[(15, "15"), (30, "30"), (60, "60")],
    )
    target_sl = models.FloatField(
        _("service level target"),
        default=0.8,
        validators=[MinValueValidator(0.01), MaxValueValidator(0.99)],
        help_text=_("Share of calls answered within the answer time, e.g. 0.8."),
    )
    answer_time_seconds = models.PositiveIntegerField(_("answer time, s"), default=20)
    staffing_model = models.CharField(
        _("staffing model"),
        max_length=10,
        choices=StaffingModel.choices,
        default=StaffingModel.ERLANG_C,
    )
    patience_seconds = models.PositiveIntegerField(
        _("mean patience, s"), default=120, help_text=_("Used by Erlang A and the simulation.")
    )
    shrinkage = models.FloatField(
        _("shrinkage"),
        default=0.3,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.9)],
        help_text=_("Share of paid time off the phones (breaks, training, meetings)."),
    )
    max_occupancy = models.FloatField(
        _("max occupancy"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
    )
    default_aht_seconds = models.PositiveIntegerField(
        _("default AHT, s"), default=180, help_text=_("When the history has no handle times.")
    )
    weekly_minutes = models.PositiveIntegerField(
        _("contracted minutes a week"), default=2400, help_text=_("Unless the agent has their own.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("planning parameters")
        verbose_name_plural = _("planning parameters")

    def __str__(self) -> str:
        return str(_("Planning parameters"))


class AgentContract(models.Model):
    """An operator's own contracted hours, where they differ from the default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.CASCADE,
        related_name="wfm_contract",
    )
    weekly_minutes = models.PositiveIntegerField(_("contracted minutes a week"))

    class Meta:
        verbose_name = _("agent contract")
        verbose_name_plural = _("agent contracts")

    def __str__(self) -> str:
        return f"{self.user}: {self.weekly_minutes}"


class ShiftTemplate(models.Model):
    """A kind of shift the roster may use: start, length (may cross midnight), breaks."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    start_time = models.TimeField(_("starts at"))
    length_minutes = models.PositiveIntegerField(
        _("length, min"), validators=[MinValueValidator(30), MaxValueValidator(16 * 60)]
    )
    breaks: models.JSONField[Any, Any] = models.JSONField(
        _("breaks"),
        default=list,
        blank=True,
        help_text=_("[[offset from start, length], …] in minutes."),
    )
    cost = models.DecimalField(_("cost"), max_digits=8, decimal_places=2, default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")
        ordering = ["start_time", "name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language while it is a seeded one (see core.names)."""
        return name_if_standard(self.name, STANDARD_SHIFT_TEMPLATES)

    @property
    def start_minute(self) -> int:
        return self.start_time.hour * 60 + self.start_time.minute


class JobKind(models.TextChoices):
    FORECAST = "forecast", _("Forecast")
    STAFFING = "staffing", _("Staffing")
    ROSTER = "roster", _("Roster")
    SIMULATION = "simulation", _("Simulation")


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job", "Queued")
    RUNNING = "running", pgettext_lazy("job", "Running")
    DONE = "done", pgettext_lazy("job", "Done")
    FAILED = "failed", pgettext_lazy("job", "Failed")


class PlanningJob(models.Model):
    """One step of the pipeline run in the background; its rows appear only when it is done."""

    kind = models.CharField(_("kind"), max_length=12, choices=JobKind.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress, %"), default=0, validators=[MaxValueValidator(100)]
    )
    queue = models.CharField(_("queue"), max_length=60, blank=True, default="")
    horizon_start = models.DateField(_("first day"))
    horizon_days = models.PositiveSmallIntegerField(_("days"))
    params: models.JSONField[Any, Any] = models.JSONField(_("parameters"), default=dict)
    source = models.ForeignKey(
        "self",
        verbose_name=_("built on"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="derived",
    )
    schedule = models.ForeignKey(
        "workforce.Schedule",
        verbose_name=_("schedule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    result: models.JSONField[Any, Any] = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("planning job")
        verbose_name_plural = _("planning jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_le_100"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class ForecastRow(models.Model):
    """Expected calls and handle time in one interval, as a forecast job predicted them."""

    job = models.ForeignKey(PlanningJob, on_delete=models.CASCADE, related_name="forecast_rows")
    start = models.DateTimeField(_("interval start"))
    calls = models.FloatField(_("calls"))
    aht_seconds = models.FloatField(_("AHT, s"))

    class Meta:
        verbose_name = _("forecast row")
        verbose_name_plural = _("forecast rows")
        ordering = ["job", "start"]
        constraints = [
            models.UniqueConstraint(fields=["job", "start"], name="forecast_row_one_per_interval"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M}: {self.calls:.1f}"


class StaffingRow(models.Model):
    """Agents required in one interval (raw on the phones, and scheduled after shrinkage)."""

    job = models.ForeignKey(PlanningJob, on_delete=models.CASCADE, related_name="staffing_rows")
    start = models.DateTimeField(_("interval start"))
    calls = models.FloatField(_("calls"))
    aht_seconds = models.FloatField(_("AHT, s"))
    raw_agents = models.PositiveIntegerField(_("agents on the phones"))
    agents = models.PositiveIntegerField(_("agents to schedule"))
    service_level = models.FloatField(_("service level"))
    asa_seconds = models.FloatField(_("ASA, s"))
    occupancy = models.FloatField(_("occupancy"))
    abandon_rate = models.FloatField(_("abandon rate"), null=True, blank=True)

    class Meta:
        verbose_name = _("staffing row")
        verbose_name_plural = _("staffing rows")
        ordering = ["job", "start"]
        constraints = [
            models.UniqueConstraint(fields=["job", "start"], name="staffing_row_one_per_interval"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M}: {self.agents}"


class ScheduleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Schedule(models.Model):
    """Shifts of named operators over some days; operators see it once it is published."""

    name = models.CharField(_("name"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=ScheduleStatus.choices, default=ScheduleStatus.DRAFT
    )
    starts_on = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"))
    interval_minutes = models.PositiveSmallIntegerField(_("interval, min"), default=30)
    staffing_job = models.ForeignKey(
        PlanningJob,
        verbose_name=_("staffing"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schedules",
    )
    solver_status = models.CharField(_("solver status"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_draft(self) -> bool:
        return self.status == ScheduleStatus.DRAFT

    @property
    def is_auto_named(self) -> bool:
        """The stored name is the one the roster job gave it ("Week of 2026-11-23", in whatever
        language the job ran), not one a planner typed."""
        day = self.starts_on.strftime("%Y-%m-%d")
        names = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names.add(gettext("Week of %(day)s") % {"day": day})
        return self.name.strip() in names

    @property
    def display_name(self) -> str:
        """The name to show: a planner's own name as typed; the generated one in the viewer's
        language with the first day as d.m.Y."""
        if self.name and not self.is_auto_named:
            return self.name
        return gettext("Week of %(day)s") % {"day": formats.date_format(self.starts_on, "d.m.Y")}


class Shift(models.Model):
    """One operator's shift, [starts_at, ends_at), with its breaks."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="shifts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.CASCADE,
        related_name="wfm_shifts",
    )
    template_name = models.CharField(_("template"), max_length=40, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    breaks: models.JSONField[Any, Any] = models.JSONField(
        _("breaks"), default=list, blank=True, help_text=_("[[start ISO, end ISO], …]")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "user"]
        indexes = [models.Index(fields=["user", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"

    @property
    def template_label(self) -> str:
        """The template's name as stored with the shift, in the reader's language if seeded."""
        return name_if_standard(self.template_name, STANDARD_SHIFT_TEMPLATES)

    @property
    def break_times(self) -> list[tuple[datetime, datetime]]:
        return [(datetime.fromisoformat(b), datetime.fromisoformat(e)) for b, e in self.breaks]


class CoverageRow(models.Model):
    """Required against scheduled agents in one interval of a schedule."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="coverage")
    start = models.DateTimeField(_("interval start"))
    required = models.PositiveIntegerField(_("required"))
    scheduled = models.PositiveIntegerField(_("scheduled"))

    class Meta:
        verbose_name = _("coverage row")
        verbose_name_plural = _("coverage rows")
        ordering = ["schedule", "start"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "start"], name="coverage_one_per_interval"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M}: {self.scheduled}/{self.required}"


class SimulationRow(models.Model):
    """What the simulation saw in one interval: mean and 95% interval of each measure."""

    job = models.ForeignKey(PlanningJob, on_delete=models.CASCADE, related_name="simulation_rows")
    start = models.DateTimeField(_("interval start"))
    calls = models.FloatField(_("calls"))
    agents = models.PositiveIntegerField(_("agents"))
    service_level = models.FloatField(_("service level"))
    service_level_low = models.FloatField(_("service level, low"))
    service_level_high = models.FloatField(_("service level, high"))
    asa_seconds = models.FloatField(_("ASA, s"))
    abandon_rate = models.FloatField(_("abandon rate"))
    occupancy = models.FloatField(_("occupancy"))

    class Meta:
        verbose_name = _("simulation row")
        verbose_name_plural = _("simulation rows")
        ordering = ["job", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "start"], name="simulation_row_one_per_interval"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M}: SL {self.service_level:.2f}"
