"""Nightly: restate every client's stored debt figures (invoices fall overdue with no event)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from callpulse.crm.services import receivables_refresh_all


class Command(BaseCommand):
    help = "Recompute debt, overdue debt and overdue-since for every client as of today."

    def handle(self, *args: Any, **options: Any) -> None:
        count = receivables_refresh_all()
        self.stdout.write(f"Receivables restated for {count} clients.")
