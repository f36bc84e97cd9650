"""Made-up but plausible identities: people, companies, numbers, BIN/IIN, e-mails, addresses.

No Django and no global state: every function draws from the caller's `random.Random`, which is
what makes a demo center reproducible from its seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from callpulse.demo import names


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class PersonName:
    """A name as Kazakhstan documents write it: surname, first name, patronymic."""

    surname: str
    first_name: str
    patronymic: str
    gender: Gender

    @property
    def full_name(self) -> str:
        return f"{self.surname} {self.first_name} {self.patronymic}"

    @property
    def initials_name(self) -> str:
        """«Ахметов С.К.», the way a sole trader's name appears on invoices."""
        return f"{self.surname} {self.first_name[0]}.{self.patronymic[0]}."


def person_name(
    rng: random.Random, *, gender: Gender | None = None, kazakh: bool | None = None
) -> PersonName:
    """A gender-consistent Russian or Kazakh name (Kazakh three times in five by default)."""
    if gender is None:
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
    if kazakh is None:
        kazakh = rng.random() < 0.6
    form = 0 if gender is Gender.MALE else 1
    if kazakh:
        first_names = (
            names.KAZAKH_MALE_FIRST_NAMES if form == 0 else names.KAZAKH_FEMALE_FIRST_NAMES
        )
        surname = rng.choice(names.KAZAKH_SURNAMES)[form]
        if rng.random() < 0.2:
            relation = names.KAZAKH_SON_OF if form == 0 else names.KAZAKH_DAUGHTER_OF
            patronymic = f"{rng.choice(names.KAZAKH_FATHER_NAMES)} {relation}"
        else:
            patronymic = rng.choice(names.KAZAKH_PATRONYMICS)[form]
    else:
        first_names = (
            names.RUSSIAN_MALE_FIRST_NAMES if form == 0 else names.RUSSIAN_FEMALE_FIRST_NAMES
        )
        surname = rng.choice(names.RUSSIAN_SURNAMES)[form]
        patronymic = rng.choice(names.RUSSIAN_PATRONYMICS)[form]
    return PersonName(
        surname=surname, first_name=rng.choice(first_names), patronymic=patronymic, gender=gender
    )


def unique(make: Callable[[], str], taken: set[str], *, attempts: int = 40) -> str:
    """A value from `make` not yet in `taken` (and now in it); numbered if the pool runs dry."""
    candidate = make()
    for _ in range(attempts):
        if candidate not in taken:
            break
        candidate = make()
    base, number = candidate, 2
    while candidate in taken:
        candidate, number = f"{base} ({number})", number + 1
    taken.add(candidate)
    return candidate


@dataclass(frozen=True)
class CompanyName:
    legal_name: str  # ТОО «Алтын Трейд»
    brand: str  # Алтын Трейд: what an e-mail address is made of


def company_name(rng: random.Random, *, city: str, large: bool = False) -> CompanyName:
    """A Kazakhstan company: ТОО (sometimes АО for large ones) with a Kazakh or Russian name."""
    pattern = rng.random()
    kazakh_word = rng.choice(names.KAZAKH_NAME_WORDS)
    if pattern < 0.35:
        brand = f"{kazakh_word} {rng.choice(names.COMPANY_SUFFIXES)}"
    elif pattern < 0.6:
        second = rng.choice([w for w in names.KAZAKH_NAME_WORDS if w != kazakh_word])
        brand = f"{kazakh_word} {second}"
    elif pattern < 0.78:
        brand = f"{rng.choice(names.RUSSIAN_NAME_WORDS)} {rng.choice(names.COMPANY_SUFFIXES)}"
    elif pattern < 0.88:
        brand = f"{city} {rng.choice(names.COMPANY_SUFFIXES)}"
    else:
        brand = f"{kazakh_word}-{rng.choice(names.RUSSIAN_NAME_WORDS)}"
    form = (
        names.COMPANY_LEGAL_FORM_JSC
        if large and rng.random() < 0.3
        else names.COMPANY_LEGAL_FORM_LLP
    )
    return CompanyName(legal_name=f"{form} «{brand}»", brand=brand)


def sole_trader_name(rng: random.Random, owner: PersonName) -> str:
    """«ИП Ахметов С.К.», or a trading name: «ИП «Береке»»."""
    if rng.random() < 0.3:
        return f"{names.SOLE_TRADER_PREFIX} «{rng.choice(names.KAZAKH_NAME_WORDS)}»"
    return f"{names.SOLE_TRADER_PREFIX} {owner.initials_name}"


def kazakhstan_mobile(rng: random.Random) -> str:
    """A Kazakhstan mobile number in E.164: +7, an operator's code, seven digits."""
    return f"+7{rng.choice(names.KAZAKHSTAN_MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"


def unique_mobile(rng: random.Random, taken: set[str]) -> str:
    """A mobile number nobody in the center has yet (phones are unique; so are staff mobiles)."""
    number = kazakhstan_mobile(rng)
    while number in taken:
        number = kazakhstan_mobile(rng)
    taken.add(number)
    return number


_FIRST_WEIGHTS = tuple(range(1, 12))
_SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def _with_check_digit(first_eleven: Sequence[int]) -> str | None:
    """The 12-digit BIN/IIN with its control digit, or None when the rules allow none."""
    check = sum(d * w for d, w in zip(first_eleven, _FIRST_WEIGHTS, strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(first_eleven, _SECOND_WEIGHTS, strict=True)) % 11
        if check == 10:
            return None
    return "".join(map(str, first_eleven)) + str(check)


def business_id(rng: random.Random, *, registered: date) -> str:
    """A BIN of a resident legal entity registered in the given month, with a valid checksum."""
    while True:
        digits = [int(ch) for ch in f"{registered:%y%m}40"]
        digits += [rng.randrange(10) for _ in range(5)]
        result = _with_check_digit(digits)
        if result is not None:
            return result


def individual_id(rng: random.Random, *, born: date, gender: Gender) -> str:
    """An IIN: birth date, century-and-gender digit, serial, checksum."""
    century = 3 if born.year < 2000 else 5
    while True:
        digits = [int(ch) for ch in f"{born:%y%m%d}"]
        digits.append(century + (0 if gender is Gender.MALE else 1))
        digits += [rng.randrange(10) for _ in range(4)]
        result = _with_check_digit(digits)
        if result is not None:
            return result


_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ә": "a", "ғ": "g",
    "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}  # fmt: skip


def latin_slug(text: str) -> str:
    """«Алтын Дала» → "altyndala": the Latin letters an e-mail address can carry."""
    letters = (_LATIN.get(ch, ch) for ch in text.lower())
    return "".join(ch for ch in "".join(letters) if ch.isascii() and ch.isalnum())


def company_email(rng: random.Random, brand: str) -> str:
    slug = latin_slug(brand)
    if rng.random() < 0.5:
        return f"info@{slug}.kz"
    return f"{slug}@{rng.choice(names.EMAIL_DOMAINS)}"


def person_email(rng: random.Random, person: PersonName) -> str:
    local = f"{latin_slug(person.first_name)}.{latin_slug(person.surname)}{rng.randint(1, 99)}"
    return f"{local}@{rng.choice(names.EMAIL_DOMAINS)}"


def street_address(rng: random.Random, city: names.City) -> str:
    """«Карагандинская область, г. Темиртау, ул. Мира, 12, офис 4»."""
    streets = names.KAZAKHSTAN_STREETS if city.country == "KZ" else names.RUSSIA_STREETS
    parts = [] if city.region in (city.name, f"г. {city.name}") else [city.region]
    parts += [f"г. {city.name}", rng.choice(streets), str(rng.randint(1, 250))]
    if rng.random() < 0.4:
        parts.append(f"офис {rng.randint(1, 420)}")
    return ", ".join(parts)


def weighted_city(rng: random.Random, *, regional: bool) -> names.City:
    """A city for a local client (mostly Almaty and Astana) or a regional one (anywhere else)."""
    weights = [c.regional_weight if regional else c.home_weight for c in names.CITIES]
    return rng.choices(names.CITIES, weights=weights)[0]
