"""The one way in for spreadsheets: checks every CSV and XLSX import makes before it parses.

- size: a file over ``CALLPULSE_IMPORT_MAX_BYTES`` is refused before it is read;
- rows: readers count data rows as they stream and stop past ``CALLPULSE_IMPORT_MAX_ROWS``;
- CSV encoding: UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such; anything else
  is detected with charset-normalizer among the encodings Excel writes here (Windows-1251 first:
  Excel with Russian regional settings saves "CSV" in it) and refused when the guess is unsure;
- hostile XLSX: an XLSX file is a zip of XML parts. Before openpyxl opens it, the unpacked size is
  capped (a zip bomb) and every part's prolog is parsed with defusedxml, which refuses any DTD:
  entity expansion ("billion laughs") and external entities need one, and a real XLSX never has
  one. openpyxl also parses through defusedxml when it is installed (it is, see requirements);
  this check does not depend on that, and answers with a clear message instead of a 500.
"""

from __future__ import annotations

import codecs
import zipfile
import zlib
from typing import IO

from charset_normalizer import from_bytes
from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# An XLSX part may unpack to this many times the upload limit, all parts together.
UNPACKED_RATIO = 20
# Encodings a non-UTF-8 CSV from Excel comes in here; the first wins a tie.
CSV_ENCODINGS = ("cp1251", "koi8_r", "cp866", "mac_cyrillic", "iso8859_5", "cp1252")
PREFERRED_ENCODING = "cp1251"
# charset-normalizer's "mess" above which a decoding is garbage; ties are within these margins.
MAX_CHAOS = 0.2
CHAOS_TIE = 0.01
COHERENCE_TIE = 0.05


class UnreadableUpload(ValueError):
    """The file cannot be imported (too big, too many rows, unknown encoding, hostile XLSX);
    the message says why and what to do."""


def max_bytes() -> int:
    return int(settings.CALLPULSE_IMPORT_MAX_BYTES)


def max_rows() -> int:
    return int(settings.CALLPULSE_IMPORT_MAX_ROWS)


def check_size(size: int | None) -> None:
    """Refuse a file over the size limit (None: unknown, nothing to check)."""
    limit = max_bytes()
    if size is not None and size > limit:
        raise UnreadableUpload(
            _("The file is %(size)s; an import takes at most %(limit)s. Split it into parts.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )


def stream_size(stream: IO[bytes]) -> int | None:
    """The size of a seekable binary stream (left at its start), or None when it cannot seek."""
    try:
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
    except (AttributeError, OSError, ValueError):
        return None
    return size


def check_stream_size(stream: IO[bytes]) -> None:
    check_size(getattr(stream, "size", None) or stream_size(stream))


def too_many_rows() -> UnreadableUpload:
    """The error a reader raises on the first data row past the limit."""
    return UnreadableUpload(
        _("The file has more than %(limit)d rows; an import takes at most %(limit)d.")
        % {"limit": max_rows()}
    )


class RowCounter:
    """Counts data rows as a reader streams them; raises past the limit."""

    def __init__(self) -> None:
        self.limit = max_rows()
        self.count = 0

    def add(self) -> None:
        self.count += 1
        if self.count > self.limit:
            raise too_many_rows()


# --- CSV encoding ---------------------------------------------------------------------------------

_UNSURE = gettext_lazy(
    "The file's encoding cannot be told for sure: save it as “CSV UTF-8” and upload it again."
)


def decode_csv(data: bytes) -> str:
    """The text of a CSV upload, decoded right or refused (never silently garbled)."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnreadableUpload(_("The file says it is UTF-8 but is not.")) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableUpload(_("The file says it is UTF-16 but is not.")) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = [
        m for m in from_bytes(data, cp_isolation=list(CSV_ENCODINGS)) if m.chaos <= MAX_CHAOS
    ]
    if not matches:
        raise UnreadableUpload(str(_UNSURE))
    least_chaos = min(m.chaos for m in matches)
    calm = [m for m in matches if m.chaos <= least_chaos + CHAOS_TIE]
    best_coherence = max(m.coherence for m in calm)
    leaders = {m.encoding for m in calm if m.coherence >= best_coherence - COHERENCE_TIE}
    if len(leaders) == 1:
        encoding = leaders.pop()
    elif PREFERRED_ENCODING in leaders:
        encoding = PREFERRED_ENCODING
    else:
        raise UnreadableUpload(str(_UNSURE))
    return data.decode(encoding)


# --- XLSX -----------------------------------------------------------------------------------------


def check_xlsx(stream: IO[bytes]) -> None:
    """Refuse an XLSX archive that unpacks too big or whose XML declares a DTD (entities).

    Reads each part only up to its first element (a DTD can only come before it); leaves the
    stream at its start for openpyxl.
    """
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableUpload(_("This is not an XLSX file (it is not a zip archive).")) from exc
    try:
        parts = archive.infolist()
        unpacked_limit = max_bytes() * UNPACKED_RATIO
        if sum(part.file_size for part in parts) > unpacked_limit:
            raise UnreadableUpload(
                _("The XLSX file unpacks to more than %(limit)s: refused.")
                % {"limit": filesizeformat(unpacked_limit)}
            )
        for part in parts:
            if part.is_dir():
                continue
            with archive.open(part) as member:
                try:
                    for _event in iterparse(member, events=("start",), forbid_dtd=True):
                        break
                except DefusedXmlException as exc:
                    raise UnreadableUpload(
                        _(
                            "The XLSX file is refused: its part “%(part)s” declares XML "
                            "entities or a DTD, which spreadsheets never need."
                        )
                        % {"part": part.filename}
                    ) from exc
                except SyntaxError:
                    continue  # not XML (an image) or broken XML: openpyxl says what it needs
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        zlib.error,
        RuntimeError,
        NotImplementedError,
    ) as exc:
        # A damaged, encrypted or oddly compressed member.
        raise UnreadableUpload(
            _("The XLSX file cannot be read: %(error)s") % {"error": exc}
        ) from exc
    finally:
        archive.close()
        stream.seek(0)
