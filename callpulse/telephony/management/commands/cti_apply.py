"""Apply received CTI events to the call registry: a worker for CALLPULSE_CTI_APPLY=worker."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from callpulse.telephony import cti


class Command(BaseCommand):
    help = "Apply the journal of received CTI events to the call registry (--once: then stop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Apply what is waiting now, then exit."
        )
        parser.add_argument(
            "--poll", type=float, default=0.2, help="Seconds between looks (default 0.2)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            applied = cti.drain()
            self.stdout.write(f"{applied} event(s) applied")
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("Applying CTI events; Ctrl-C stops.")
        # Nothing wakes a separate worker but its poll: keep the poll short.
        cti.run_forever(threading.Event(), stop.is_set, poll_seconds=options["poll"])
