"""The in-process job runner: planning jobs run on a small thread pool, progress on their row.

Each job runs in its own thread with its own database connection (closed when it ends), so a
page request never waits for CP-SAT. With ``CALLPULSE_WFM_JOBS_INLINE = True`` (tests, or a
deployment without threads) a job runs at once in the caller. A job's results are written in one
transaction at the end: a failed job leaves its error and no rows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, close_old_connections, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from callpulse.workforce.models import JobStatus, PlanningJob

log = logging.getLogger(__name__)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
PROGRESS_EVERY_SECONDS = 0.3


def inline() -> bool:
    return bool(getattr(settings, "CALLPULSE_WFM_JOBS_INLINE", False))


def workers() -> int:
    return int(getattr(settings, "CALLPULSE_WFM_JOB_WORKERS", 2))


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="wfm-job")
        return _pool


def dispatch(job_id: int) -> Future[None] | None:
    """Run the job now (inline) or once the transaction that created it commits."""
    if inline():
        execute(job_id)
        return None
    holder: dict[str, Future[None]] = {}

    def submit() -> None:
        holder["future"] = _executor().submit(_in_thread, job_id)

    transaction.on_commit(submit)
    return holder.get("future")


# A job that has run (or waited) this long is no longer running anywhere: the process that held it
# stopped. The slowest step, a roster, is bounded by CALLPULSE_WFM_ROSTER_SECONDS.
STALE_AFTER_MINUTES = 30


def reap_stale(*, now: datetime | None = None) -> int:
    """Mark jobs left queued or running by a stopped process as failed, so the planner sees why
    and starts them again instead of watching a bar that never moves. Returns how many."""
    moment = now or timezone.now()
    minutes = int(getattr(settings, "CALLPULSE_WFM_JOB_STALE_MINUTES", STALE_AFTER_MINUTES))
    cutoff = moment - timedelta(minutes=minutes)
    stale = PlanningJob.objects.filter(
        Q(status=JobStatus.RUNNING, started_at__lt=cutoff)
        | Q(status=JobStatus.QUEUED, created_at__lt=cutoff)
    )
    return int(
        retrying(
            lambda: stale.update(
                status=JobStatus.FAILED,
                error=_("Interrupted: the server stopped while this job ran. Start it again."),
                finished_at=moment,
            )
        )
    )


def _in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        execute(job_id)
    finally:
        connections.close_all()  # this thread's connections only


def retrying(write: Callable[[], Any], attempts: int = 8) -> Any:
    """SQLite answers "database is locked" when a page reads while a job writes: try again."""
    for attempt in range(attempts):
        try:
            return write()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    return None


class Progress:
    """Writes a job's progress (0..100) to its row, at most a few times a second."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.last = -1
        self.last_at = 0.0

    def __call__(self, percent: float, *, force: bool = False) -> None:
        value = max(0, min(99, int(percent)))
        now = time.monotonic()
        if value <= self.last or (not force and now - self.last_at < PROGRESS_EVERY_SECONDS):
            return
        self.last, self.last_at = value, now
        try:
            retrying(
                lambda: PlanningJob.objects.filter(pk=self.job_id).update(progress=value),
                attempts=3,
            )
        except OperationalError:  # progress is best effort; the result is not
            log.warning("could not write progress of job %s", self.job_id)

    def part(self, low: float, high: float) -> Callable[[float], None]:
        """A 0..1 callback for one stage, mapped to [low, high] percent."""
        return lambda fraction: self(low + (high - low) * float(fraction))


def _message(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, ValueError):
        return str(exc)
    return _("Unexpected error: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}


def execute(job_id: int) -> None:
    """Run one job to its end: done with its rows, or failed with the reason and no rows."""
    from callpulse.workforce import pipeline

    updated = retrying(
        lambda: PlanningJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now(), progress=1
        )
    )
    if not updated:
        return  # already taken or finished
    job = PlanningJob.objects.get(pk=job_id)
    progress = Progress(job_id)
    try:
        pipeline.run(job, progress)
    except Exception as exc:
        if not isinstance(exc, ValidationError | ValueError):
            log.exception("planning job %s failed", job_id)
        message = _message(exc)
        retrying(
            lambda: PlanningJob.objects.filter(pk=job_id).update(
                status=JobStatus.FAILED, error=message, finished_at=timezone.now()
            )
        )
