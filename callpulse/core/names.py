"""Names of the seeded standard records, shown in the reader's language.

Departments, client types, shift templates and the demo campaign are stored with an English name
(editable afterwards). A name is translated at display time only while it is still the seeded one
for its stable key: a record someone renamed shows exactly what they typed, and a user's own
record that happens to share a word with the catalogue is never rewritten. This needs no
per-language columns and no migration, and a fourth language only touches the catalogue.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.utils.translation import gettext, gettext_noop

# The migrations' seeds (core 0002, crm 0002), keyed by code; a test keeps them in step.
STANDARD_DEPARTMENTS: Mapping[str, str] = {
    "wholesale": gettext_noop("Wholesale"),
    "retail": gettext_noop("Retail"),
    "regional": gettext_noop("Regional sales"),
    "service_desk": gettext_noop("Service desk"),
    "contact_center": gettext_noop("Contact center"),
    "finance": gettext_noop("Finance"),
}
STANDARD_CLIENT_TYPES: Mapping[str, str] = {
    "key": gettext_noop("Key client"),
    "marketer": gettext_noop("Marketer"),
    "own_outlet": gettext_noop("Own outlet"),
    "retail": gettext_noop("Retail"),
    "regional": gettext_noop("Regional"),
    "new": gettext_noop("New client"),
}
# Shift templates and campaign texts the demo generator seeds (they have no code: the name is it).
STANDARD_SHIFT_TEMPLATES: Collection[str] = (
    gettext_noop("Early"),
    gettext_noop("Day"),
    gettext_noop("Late"),
)
DEMO_CAMPAIGN_NAME = gettext_noop("Dormant clients: win back")
DEMO_CAMPAIGN_GOAL = gettext_noop("Bring back clients with no order for 60 days")
DEMO_CAMPAIGN_INSTRUCTION = gettext_noop(
    "Ask why they stopped ordering; offer a 5 percent discount on the next order."
)
DEMO_SCRIPT_NAME = gettext_noop("Win back a dormant client")
STANDARD_CAMPAIGN_TEXTS: Collection[str] = frozenset(
    {DEMO_CAMPAIGN_NAME, DEMO_CAMPAIGN_GOAL, DEMO_CAMPAIGN_INSTRUCTION, DEMO_SCRIPT_NAME}
)


def name_by_code(name: str, code: str, standard: Mapping[str, str]) -> str:
    """The name in the active language while it is the seeded one for `code`; else as stored."""
    if name and standard.get(code) == name:
        return gettext(name)
    return name


def name_if_standard(name: str, standard: Collection[str]) -> str:
    """The name in the active language when it is one of the seeded names; else as stored."""
    if name and name in standard:
        return gettext(name)
    return name
