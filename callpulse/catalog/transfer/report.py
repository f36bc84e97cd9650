"""What an import did: counts, and each rejected row with its number, column and reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from callpulse.catalog.transfer.tables import SourceRow, Table

ERROR_COLUMN = "error"


@dataclass(frozen=True)
class CellError:
    """One reason a row was rejected: the column (as headed in the file) and the message."""

    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.column}: {self.message}"


@dataclass(frozen=True)
class RejectedRow:
    number: int
    values: dict[str, object]
    errors: tuple[CellError, ...]

    @property
    def message(self) -> str:
        return "; ".join(str(error) for error in self.errors)

    def __str__(self) -> str:
        return _("row %(number)d, %(message)s") % {"number": self.number, "message": self.message}


@dataclass
class ImportReport:
    """Counts of what was (or, in a dry run, would be) written, and the rows left out.

    For products the counts are products; for prices they are prices (one per product and
    column). `rejected` always counts rows of the file.
    """

    kind: str
    header: list[str]
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_rows: list[RejectedRow] = field(default_factory=list)
    categories_created: list[str] = field(default_factory=list)
    price_list_name: str = ""
    price_list_created: bool = False

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    def reject(self, row: SourceRow, errors: list[CellError]) -> None:
        self.rejected_rows.append(
            RejectedRow(number=row.number, values=dict(row.values), errors=tuple(errors))
        )

    def summary(self) -> str:
        what = _("prices") if self.kind == "prices" else _("products")
        text = _(
            "%(what)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged; "
            "%(rejected)s."
        ) % {
            "what": what,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": ngettext("%d row rejected", "%d rows rejected", self.rejected)
            % self.rejected,
        }
        if self.categories_created:
            text += " " + _("New categories: %(names)s.") % {
                "names": ", ".join(self.categories_created)
            }
        if self.price_list_created:
            text += " " + _("New price list “%(name)s”.") % {"name": self.price_list_name}
        if self.dry_run:
            text += " " + _("Dry run: nothing was written.")
        return text

    def rejected_table(self) -> Table:
        """The rejected rows as they came, with an `error` column: fix them and import again."""
        header = [*self.header, ERROR_COLUMN]
        rows = [
            SourceRow(number=row.number, values={**row.values, ERROR_COLUMN: row.message})
            for row in self.rejected_rows
        ]
        return Table(header=header, rows=rows)
