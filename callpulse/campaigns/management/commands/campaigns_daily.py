"""Run every morning (cron, systemd timer): scheduled lists, stale hand-outs, ended campaigns."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from callpulse.campaigns.services import campaigns_daily


class Command(BaseCommand):
    help = (
        "Regenerate daily campaign lists, hand back stale records, end campaigns past their date."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = campaigns_daily()
        for name, added in report.lists_built.items():
            self.stdout.write(f"list: {name}: +{added}")
        for name in report.finished:
            self.stdout.write(f"finished: {name}")
        for name in report.pending_segments:
            self.stdout.write(f"pending segment (no car-service module yet): {name}")
        self.stdout.write(f"released stale records: {report.released}")
