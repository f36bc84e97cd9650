"""`manage.py demo_logins`: the demo logins to try, one per role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from callpulse.core.models import User
from callpulse.demo.generator import DEMO_PASSWORD

# (role as people call it, username): one login for each role of PRODUCT.md.
DEMO_LOGINS = (
    ("Administrator (superuser)", "admin"),
    ("Contact-center director", "director"),
    ("Head of sales", "head.sales"),
    ("Supervisor", "supervisor1"),
    ("Operator", "operator2"),
    ("Mentor (operator)", "operator1"),
    ("Trainee (operator)", "operator7"),
    ("Key-account manager", "manager2"),
    ("Account manager", "manager4"),
    ("Department head", "head.wholesale"),
    ("Finance", "finance"),
    ("Workforce planner", "planner"),
    ("QA specialist", "qa"),
    ("Training manager", "trainer"),
    ("Analyst", "analyst"),
)


class Command(BaseCommand):
    help = (
        "Print the demo logins, one per role, and where to sign in: CALLPULSE_SERVER_URL, else "
        "http://HOST:PORT (`make run` passes the address it serves)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        existing = set(
            User.objects.filter(username__in=[u for _, u in DEMO_LOGINS]).values_list(
                "username", flat=True
            )
        )
        rows = [(role, username) for role, username in DEMO_LOGINS if username in existing]
        if not rows:
            self.stdout.write("No demo logins here; run `manage.py demo --seed 42` first.")
            return
        role_width = max(len("Role"), *(len(role) for role, _ in rows))
        user_width = max(len("Username"), *(len(username) for _, username in rows))
        header = f"{'Role':<{role_width}}  {'Username':<{user_width}}  Password"
        self.stdout.write(self.style.MIGRATE_HEADING(header))
        self.stdout.write(f"{'-' * role_width}  {'-' * user_width}  {'-' * 8}")
        for role, username in rows:
            self.stdout.write(f"{role:<{role_width}}  {username:<{user_width}}  {DEMO_PASSWORD}")
        self.stdout.write(f"\nSign in at {settings.CALLPULSE_SERVER_URL}/")
