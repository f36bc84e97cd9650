"""Import products or prices from CSV or XLSX:

    manage.py catalog_import products catalog.xlsx [--dry-run] [--rejected rejected.xlsx]
    manage.py catalog_import prices prices.csv --price-list "Прайс 2026" [--valid-from 2026-01-01]

Acts as `--as USERNAME` (who must edit the catalog), else as the first superuser.
"""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from callpulse.catalog.services import catalog_import_prices, catalog_import_products
from callpulse.catalog.transfer import ImportReport, UnreadableFile, read_table, write_table
from callpulse.catalog.transfer.values import BadValue, parse_date
from callpulse.core.models import User

SHOWN_REJECTIONS = 20


def _date(text: str) -> date:
    try:
        return parse_date(text)
    except BadValue as exc:
        raise ArgumentTypeError(str(exc)) from exc


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Import products or prices from a CSV or XLSX file; rows that fail are reported "
        "(and written to --rejected with an `error` column). All good rows or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["products", "prices"])
        parser.add_argument("file", type=Path, help="a .csv or .xlsx file")
        parser.add_argument(
            "--price-list",
            help="prices: the price list's name (created when absent, then --valid-from is needed)",
        )
        parser.add_argument(
            "--valid-from",
            type=_date,
            help="prices: the price list's start date (YYYY-MM-DD or DD.MM.YYYY); "
            "with a name, it picks or creates the list of that name and date",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--rejected", type=Path, help="write the rejected rows here (.csv or .xlsx)"
        )
        parser.add_argument(
            "--as", dest="username", help="act as this user (default: the first superuser)"
        )

    def _actor(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user {username}.")
            return user
        superuser = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if superuser is None:
            raise CommandError("No active superuser to act as: give --as USERNAME.")
        return superuser

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["username"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            table = read_table(path)
            if options["kind"] == "products":
                report = catalog_import_products(
                    actor=actor, rows=table, dry_run=options["dry_run"]
                )
            else:
                if not options["price_list"]:
                    raise CommandError("prices: give --price-list NAME.")
                report = catalog_import_prices(
                    actor=actor,
                    rows=table,
                    price_list_name=options["price_list"],
                    valid_from=options["valid_from"],
                    dry_run=options["dry_run"],
                )
        except UnreadableFile as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from exc
        except PermissionDenied as exc:
            raise CommandError(f"{actor.username}: {exc}") from exc
        self._print(report, options["rejected"])

    def _print(self, report: ImportReport, rejected_path: Path | None) -> None:
        self.stdout.write(report.summary())
        for row in report.rejected_rows[:SHOWN_REJECTIONS]:
            self.stderr.write(str(row))
        if report.rejected > SHOWN_REJECTIONS:
            self.stderr.write(f"… and {report.rejected - SHOWN_REJECTIONS} more rejected rows.")
        if rejected_path is not None:
            write_table(report.rejected_table(), rejected_path)
            self.stdout.write(f"Rejected rows written to {rejected_path}.")
