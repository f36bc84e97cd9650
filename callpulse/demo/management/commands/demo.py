"""`manage.py demo --seed 42`: fill a fresh database with the demo contact center."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from callpulse.campaigns.demo import build_demo as campaigns_demo
from callpulse.core.models import User
from callpulse.crm.models import Client
from callpulse.demo.generator import DemoCenterError, generate_center
from callpulse.sales.demo import build_demo as sales_demo
from callpulse.workforce.demo import build_demo as workforce_demo

# Each app's own demo, run after the center exists (it reads staff, clients, orders and calls).
AppDemo = Callable[..., dict[str, int]]
APP_DEMOS: tuple[tuple[str, AppDemo], ...] = (
    ("plans", sales_demo),
    ("campaigns", campaigns_demo),
    ("workforce", workforce_demo),
)


class Command(BaseCommand):
    help = (
        "Generate a reproducible demo contact center (staff, teams, absences, clients with "
        "credit history, the catalog and prices, order history, two weeks of calls, agents' "
        "states) into a fresh database."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, required=True, help="Same seed, same center.")
        parser.add_argument(
            "--clients", type=int, default=2000, help="Number of clients (default 2000)."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has clients or staff (for `make run`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed: int = options["seed"]
        clients: int = options["clients"]
        if clients < 1:
            raise CommandError("--clients must be at least 1.")
        has_clients = Client.objects.exists()
        has_staff = User.objects.filter(is_superuser=False).exists()
        if options["if_empty"] and (has_clients or has_staff):
            self.stdout.write("The database already has data; demo center not generated.")
            return
        if has_clients:
            # Never mix demo clients into real ones, nor generate the demo twice.
            raise CommandError(
                "The database already has clients. The demo center is generated only into a "
                "fresh database: point CALLPULSE_VAR_DIR (or DATABASE_URL) at a new one, run "
                "`manage.py migrate`, then `manage.py demo` again."
            )
        started = time.perf_counter()
        now = timezone.now()
        try:
            summary = generate_center(seed=seed, clients=clients, now=now)
        except DemoCenterError as exc:
            raise CommandError(str(exc)) from exc
        app_lines = self._app_demos(seed=seed, now=now)
        elapsed = time.perf_counter() - started
        lines = [
            f"Demo center generated from seed {summary.seed} in {elapsed:.1f} s:",
            f"  staff         {summary.staff} logins, {summary.teams} teams, "
            f"{summary.mentorships} trainees with mentors, {summary.absences} absences this week",
            f"  clients       {summary.clients} ({summary.contacts} contacts, "
            f"{summary.phones} phone numbers)",
            f"  credit        {summary.credit_events} invoices, payments and write-offs; "
            f"{summary.overdue_clients} clients overdue, {summary.over_limit_clients} over limit",
            f"  dormant       {summary.dormant_clients} clients with no order for 60+ days",
            f"  catalog       {summary.products} products in {summary.categories} categories "
            f"({summary.new_products} new, {summary.promoted_products} promoted), "
            f"{summary.prices} prices in {summary.price_lists} price lists, "
            f"{summary.discount_rules} discount rules, "
            f"{summary.holidays} warehouse holidays ahead",
            f"  orders        {summary.orders} ({summary.order_lines} lines, {summary.offers} "
            f"offers, {summary.offers_accepted} taken); {summary.open_orders} accepted today "
            f"awaiting shipment, {summary.orders_awaiting_decision} handed off awaiting a "
            "decision",
            f"  calls         {summary.calls} over the last {summary.call_days} days "
            f"({summary.calls_today} today), {summary.calls_to_log} to log, "
            f"{summary.open_callbacks} callbacks open",
            f"  operators     {summary.agents_available} available, {summary.agents_on_break} "
            f"on a break, {summary.agents_offline} offline",
            *app_lines,
            f"  showcase      {summary.showcase_client}, call from 8 (701) 123-45-67",
            "Logins: `manage.py demo_logins` (password: demo).",
        ]
        self.stdout.write(self.style.SUCCESS(lines[0]))
        self.stdout.write("\n".join(lines[1:]))

    @staticmethod
    def _app_demos(*, seed: int, now: datetime) -> list[str]:
        lines = []
        for label, build in APP_DEMOS:
            counts = build(seed=seed, now=now)
            figures = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in counts.items())
            lines.append(f"  {label:<13} {figures}")
        return lines
