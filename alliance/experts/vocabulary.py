"""What an expert may say they know: a controlled list of topics, and ISO 639 languages."""

from __future__ import annotations

import enum

import pycountry

from alliance.errors import InvalidInput


class ExpertTopic(enum.StrEnum):
    """Fields of anti-counterfeiting expertise (a closed list: filters stay meaningful)."""

    AUTHENTICATION = "AUTHENTICATION"
    ONLINE_ENFORCEMENT = "ONLINE_ENFORCEMENT"
    PLATFORM_TAKEDOWNS = "PLATFORM_TAKEDOWNS"
    CUSTOMS = "CUSTOMS"
    CRIMINAL_ENFORCEMENT = "CRIMINAL_ENFORCEMENT"
    CIVIL_LITIGATION = "CIVIL_LITIGATION"
    INVESTIGATIONS = "INVESTIGATIONS"
    TEST_BUYS = "TEST_BUYS"
    IMAGE_FORENSICS = "IMAGE_FORENSICS"
    SUPPLY_CHAIN = "SUPPLY_CHAIN"
    PAYMENT_DISRUPTION = "PAYMENT_DISRUPTION"
    DOMAIN_ENFORCEMENT = "DOMAIN_ENFORCEMENT"
    TRAINING = "TRAINING"


def language_code(code: str, *, field: str = "languages") -> str:
    """The ISO 639-1 code (two letters, lower case) of `code`, given as ISO 639-1 or
    639-3 (`fr`, `FRA`); `InvalidInput` naming `field` for any other text."""
    text = code.strip().lower()
    found = None
    if len(text) == 2:  # ISO 639-1
        found = pycountry.languages.get(alpha_2=text)
    elif len(text) == 3:  # ISO 639-3
        found = pycountry.languages.get(alpha_3=text)
    alpha_2 = getattr(found, "alpha_2", None)
    if alpha_2 is None:
        raise InvalidInput(
            f"`{code[:16]}` is not an ISO 639-1 language code (e.g. `en`, `zh`).", field=field
        )
    return str(alpha_2)
