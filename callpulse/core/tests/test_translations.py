"""The Russian and Kazakh catalogues are complete, well-formed and compiled.

The .po files are read with a small parser of our own and the .mo files with the standard
library's gettext, so a forgotten `compilemessages` (a stale .mo) fails here rather than in front
of an operator.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"

PLURAL_FORMS = {
    "ru": (
        "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
        "(n%100<10 || n%100>=20) ? 1 : 2);"
    ),
    "kk": "nplurals=2; plural=(n!=1);",
}
NPLURALS = {"ru": 3, "kk": 2}
LANGUAGES = sorted(PLURAL_FORMS)

# Terms of the glossary (PRODUCT.md) that screens and tests rely on.
GLOSSARY = {
    "ru": {
        "Key client": "Ключевой клиент",
        "Receivables": "Дебиторская задолженность",
        "Head of sales": "Руководитель отдела продаж",
        "Sick leave": "Больничный",
        "English": "Английский",
        "Russian": "Русский",
        "Kazakh": "Казахский",
    },
    "kk": {
        "Key client": "Негізгі клиент",
        "Receivables": "Дебиторлық берешек",
        "Head of sales": "Сату бөлімінің басшысы",
        "English": "Ағылшын",
        "Russian": "Орыс",
        "Kazakh": "Қазақ",
    },
}

# A printf-style conversion as Python's % operator reads it.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?"  # mapping key
    r"[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"  # flags, width, precision, length
    r"(?P<conv>[diouxXeEfFgGcrsa%])"
)
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def label(self) -> str:
        return f"{self.msgctxt}|{self.msgid}" if self.msgctxt else self.msgid


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"not a quoted PO string: {text!r}")
    return re.sub(r"\\(.)", lambda m: ESCAPES[m.group(1)], text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") first."""
    entries: list[Entry] = []
    current = Entry()
    key: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, key, started
        if started:
            entries.append(current)
        current, key, started = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            line = line[2:].strip()
            if not line or line.startswith("#"):
                continue
            # a new obsolete entry starts at its msgctxt or msgid; its continuation lines
            # (a translation on several lines) belong to it
            if line.startswith(("msgctxt", "msgid ")) and current.msgstr:
                finish()
            current.obsolete = True
        elif not line:
            continue
        elif line.startswith("#"):
            if current.msgstr:
                finish()
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith('"'):
            if key is None:
                raise ValueError(f"{path}: continuation line without a keyword: {raw!r}")
            name, index = key
            value = _unquote(line)
            if name == "msgid":
                current.msgid += value
            elif name == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            elif name == "msgctxt":
                current.msgctxt = (current.msgctxt or "") + value
            else:
                current.msgstr[index] += value
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and current.msgstr:
            finish()
        started = True
        value = _unquote(rest)
        if keyword == "msgctxt":
            current.msgctxt, key = value, ("msgctxt", 0)
        elif keyword == "msgid":
            current.msgid, key = value, ("msgid", 0)
        elif keyword == "msgid_plural":
            current.msgid_plural, key = value, ("msgid_plural", 0)
        elif keyword == "msgstr":
            current.msgstr[0], key = value, ("msgstr", 0)
        elif match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
            index = int(match.group(1))
            current.msgstr[index], key = value, ("msgstr", index)
        else:
            raise ValueError(f"{path}: unknown keyword in {raw!r}")
    finish()
    return entries


def placeholders(text: str) -> Counter[str]:
    """The python-format conversions of a string, `%%` excepted."""
    found: Counter[str] = Counter()
    for match in PLACEHOLDER.finditer(text):
        if match.group("conv") != "%":
            found[match.group(0)] += 1
    return found


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


def catalogue(lang: str) -> tuple[dict[str, str], list[Entry]]:
    """The header's fields and the live (not obsolete) entries of a language."""
    entries = [e for e in parse_po(po_path(lang)) if not e.obsolete]
    assert entries and entries[0].msgid == "" and entries[0].msgctxt is None, "header missing"
    header: dict[str, str] = {}
    for line in entries[0].msgstr.get(0, "").splitlines():
        name, _, value = line.partition(":")
        header[name.strip()] = value.strip()
    return header, entries[1:]


class _Missing(gettext.NullTranslations):
    """A fallback that marks a message absent from the .mo instead of echoing the msgid."""

    MARK = "\x00missing-from-mo\x00"

    def gettext(self, message: str) -> str:
        return self.MARK

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.MARK

    def pgettext(self, context: str, message: str) -> str:
        return self.MARK

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self.MARK


def compiled(lang: str) -> gettext.GNUTranslations:
    path = po_path(lang).with_suffix(".mo")
    assert path.exists(), f"{path} is missing: run compilemessages"
    with path.open("rb") as handle:
        translations = gettext.GNUTranslations(handle)
    translations.add_fallback(_Missing())
    return translations


def sample_for_each_form(translations: gettext.GNUTranslations, nplurals: int) -> dict[int, int]:
    """For each plural form, a count the .mo's plural rule sends to it."""
    rule = translations.plural  # type: ignore[attr-defined]
    samples: dict[int, int] = {}
    for n in range(1000):
        samples.setdefault(rule(n), n)
    assert sorted(samples) == list(range(nplurals)), f"plural rule yields forms {sorted(samples)}"
    return samples


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_header_names_the_language_its_charset_and_plurals(lang: str) -> None:
    header, _ = catalogue(lang)
    assert header.get("Language") == lang
    assert header.get("Content-Type") == "text/plain; charset=UTF-8"
    assert header.get("Plural-Forms") == PLURAL_FORMS[lang]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogue_is_not_empty(lang: str) -> None:
    _, entries = catalogue(lang)
    assert len(entries) > 100
    assert len({(e.msgctxt, e.msgid) for e in entries}) == len(entries), "duplicate msgid"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_in_every_plural_form(lang: str) -> None:
    _, entries = catalogue(lang)
    untranslated = []
    for entry in entries:
        forms = range(NPLURALS[lang]) if entry.msgid_plural is not None else range(1)
        if sorted(entry.msgstr) != list(forms) or not all(entry.msgstr[i].strip() for i in forms):
            untranslated.append(entry.label)
    assert not untranslated, f"{lang}: untranslated: {untranslated}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_entry_is_fuzzy(lang: str) -> None:
    entries = [e for e in parse_po(po_path(lang)) if not e.obsolete]
    fuzzy = [e.label or "(header)" for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"{lang}: fuzzy: {fuzzy}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_placeholder_survives_translation(lang: str) -> None:
    _, entries = catalogue(lang)
    broken = []
    for entry in entries:
        wanted = placeholders(entry.msgid)
        if entry.msgid_plural is not None:
            wanted |= placeholders(entry.msgid_plural)
        if not wanted and "python-format" not in entry.flags:
            continue
        for index, text in entry.msgstr.items():
            got = placeholders(text)
            named = any(p.startswith("%(") for p in wanted)
            # Named placeholders may move and repeat; positional ones must match one for one.
            same = set(got) == set(wanted) if named else got == wanted
            if not same:
                broken.append(f"{entry.label!r}[{index}]: {dict(wanted)} != {dict(got)}")
    assert not broken, f"{lang}: placeholders differ:\n" + "\n".join(broken)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po(lang: str) -> None:
    _, entries = catalogue(lang)
    translations = compiled(lang)
    assert translations.info().get("plural-forms") == PLURAL_FORMS[lang]
    samples = sample_for_each_form(translations, NPLURALS[lang])
    stale = []
    for entry in entries:
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                got = translations.gettext(entry.msgid)
            else:
                got = translations.pgettext(entry.msgctxt, entry.msgid)
            if got != entry.msgstr.get(0):
                stale.append(f"{entry.label!r}: .mo {got!r} != .po {entry.msgstr.get(0)!r}")
            continue
        for index, n in samples.items():
            if entry.msgctxt is None:
                got = translations.ngettext(entry.msgid, entry.msgid_plural, n)
            else:
                got = translations.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
            if got != entry.msgstr.get(index):
                stale.append(f"{entry.label!r}[{index}]: .mo {got!r} != .po")
    assert not stale, f"{lang}: the .mo is stale, run compilemessages:\n" + "\n".join(stale)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_glossary_terms_are_translated_as_agreed(lang: str) -> None:
    _, entries = catalogue(lang)
    by_msgid = {e.msgid: e.msgstr.get(0) for e in entries if e.msgctxt is None}
    for msgid, expected in GLOSSARY[lang].items():
        assert by_msgid.get(msgid) == expected, msgid


def test_overdue_debt_reads_as_overdue_in_russian() -> None:
    _, entries = catalogue("ru")
    overdue = next(e for e in entries if e.msgid == "Overdue %(amount)s since %(since)s")
    assert overdue.msgstr[0].startswith("Просрочено")


def test_the_parser_reads_plurals_contexts_escapes_and_flags(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: ru\\n"\n'
        '#, fuzzy, python-format\nmsgctxt "tab"\nmsgid "%(n)d call"\n'
        'msgid_plural "%(n)d calls"\nmsgstr[0] "%(n)d звонок"\nmsgstr[1] ""\n"%(n)d звонка"\n'
        'msgstr[2] "%(n)d звонков"\n\n'
        'msgid "Say \\"hi\\"\\n"\nmsgstr "Скажи «привет»\\n"\n'
        '#~ msgid "Gone"\n#~ msgstr "Нет"\n',
        encoding="utf-8",
    )
    header, plural, quoted, gone = parse_po(po)
    assert header.msgstr == {0: "Language: ru\n"}
    assert plural.msgctxt == "tab" and plural.msgid_plural == "%(n)d calls"
    assert plural.msgstr == {0: "%(n)d звонок", 1: "%(n)d звонка", 2: "%(n)d звонков"}
    assert plural.flags == {"fuzzy", "python-format"}
    assert quoted.msgid == 'Say "hi"\n' and not quoted.obsolete
    assert gone.obsolete and gone.msgid == "Gone"
    assert placeholders("%(a)s and %d, 100%%") == Counter({"%(a)s": 1, "%d": 1})
