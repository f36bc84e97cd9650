"""Create (or show) the token a machine uses: `manage.py service_token asterisk --scope cti`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from callpulse.core.models import ServiceToken
from callpulse.core.service_auth import service_token_create


class Command(BaseCommand):
    help = "Create a service token for a phone system or the website (prints its key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--scope", action="append", required=True, help="e.g. cti")

    def handle(self, *args: Any, **options: Any) -> None:
        existing = ServiceToken.objects.filter(name=options["name"]).first()
        if existing is not None:
            if not existing.is_active:
                raise CommandError(f"The token {existing.name} is revoked; choose another name.")
            missing = set(options["scope"]) - existing.scope_set
            if missing:
                raise CommandError(
                    f"The token {existing.name} lacks the scope(s) {', '.join(sorted(missing))}; "
                    "add them in the admin or choose another name."
                )
            self.stdout.write(existing.key)
            return
        token = service_token_create(name=options["name"], scopes=options["scope"])
        self.stdout.write(token.key)
