"""Import and export of products and prices as CSV and XLSX.

- `tables`: read and write CSV/XLSX as a header and numbered rows (no database);
- `values`: numbers, dates and yes/no as people type them ("1 234,50", "01.03.2026", "да");
- `columns`: the files' columns, their Russian aliases and the rules for one row;
- `report`: what an import did, and the rejected rows as a file with an `error` column;
- `export`: the reads that build the files (an export imports back unchanged).

The writes are the services `catalog_import_products` and `catalog_import_prices`
in `callpulse.catalog.services`.
"""

from callpulse.catalog.transfer.export import find_price_list, prices_table, products_table
from callpulse.catalog.transfer.report import CellError, ImportReport, RejectedRow
from callpulse.catalog.transfer.tables import (
    FORMATS,
    Format,
    SourceRow,
    Table,
    UnreadableFile,
    detect_format,
    read_table,
    table_bytes,
    write_table,
)

__all__ = [
    "FORMATS",
    "CellError",
    "Format",
    "ImportReport",
    "RejectedRow",
    "SourceRow",
    "Table",
    "UnreadableFile",
    "detect_format",
    "find_price_list",
    "prices_table",
    "products_table",
    "read_table",
    "table_bytes",
    "write_table",
]
