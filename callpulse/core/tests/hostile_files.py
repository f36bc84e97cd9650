"""Hostile spreadsheets built in the tests, for the importers' refusals."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

# Ten levels of ten: a billion "lol"s if a parser expands the entities.
BILLION_LAUGHS_PROLOG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE worksheet [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{level} "{("&lol" + (str(level - 1) if level > 1 else "") + ";") * 10}">\n'
        for level in range(1, 10)
    )
    + "]>\n"
)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def billion_laughs_xlsx(header: list[str]) -> bytes:
    """A real XLSX whose first sheet declares the billion-laughs entities and uses the last one
    in an inline-string cell under the header."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([header])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                body = text[text.index("<worksheet") :]
                bomb = '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
                body = body.replace("</sheetData>", bomb + "</sheetData>")
                data = (BILLION_LAUGHS_PROLOG + body).encode()
            target.writestr(item, data)
    return out.getvalue()


def zip_bomb_xlsx(unpacked_bytes: int) -> bytes:
    """A real XLSX with an extra part of zeros that unpacks to `unpacked_bytes`."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["sku"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/media/padding.bin", b"\0" * unpacked_bytes)
    return out.getvalue()
