"""Export products or a price list's prices to CSV or XLSX (by the file's extension):

    manage.py catalog_export products catalog.xlsx
    manage.py catalog_export prices prices.csv --price-list "Прайс 2026"

The files import back unchanged with `catalog_import`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from callpulse.catalog.pricing import active_price_list
from callpulse.catalog.transfer import find_price_list, prices_table, products_table, write_table
from callpulse.catalog.transfer.values import BadValue, parse_date


class Command(BaseCommand):
    help = "Export products, or the prices of a price list, to a .csv or .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["products", "prices"])
        parser.add_argument("out", type=Path, help="a .csv or .xlsx file")
        parser.add_argument(
            "--price-list", help="prices: the price list's name (default: the one in force today)"
        )
        parser.add_argument(
            "--valid-from", help="prices: the price list's start date, when two share a name"
        )
        parser.add_argument(
            "--delimiter",
            choices=[";", ","],
            default=";",
            help="CSV separator: `;` with decimal commas (Excel, Russian settings, the default) "
            "or `,` with decimal points",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.suffix.lower() not in {".csv", ".xlsx"}:
            raise CommandError("The output file must end in .csv or .xlsx.")
        if options["kind"] == "products":
            table = products_table()
        else:
            try:
                valid_from = parse_date(options["valid_from"]) if options["valid_from"] else None
                price_list = (
                    find_price_list(options["price_list"], valid_from)
                    if options["price_list"]
                    else active_price_list(timezone.localdate())
                )
            except (BadValue, ValidationError) as exc:
                raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
            if price_list is None:
                raise CommandError(f"No price list {options['price_list']}.")
            table = prices_table(price_list)
        write_table(table, out, delimiter=options["delimiter"])
        self.stdout.write(f"{len(table.rows)} rows written to {out}.")
