"""EMAIL and PHONE, and the e-mail and phone forms of other kinds' ids."""

from __future__ import annotations

import dataclasses

import email_validator
import phonenumbers

from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize._countries import normalize_country
from alliance.indicators.normalize._plain import plain_email
from alliance.indicators.normalize._text import require_text
from alliance.indicators.normalize._values import IndicatorValue, Normalized
from alliance.indicators.normalize._web import normalize_host


@dataclasses.dataclass(frozen=True, slots=True)
class Contact:
    """A normalised address or number: its key, how to show it, and derived facts."""

    key: str
    display: str
    extra: dict[str, str]


def _email_parts_by_library(stripped: str, *, text: str, field: str) -> tuple[str, str]:
    """(local part in lower case, ASCII domain) as email-validator reads the address."""
    try:
        checked = email_validator.validate_email(stripped, check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise InvalidInput(
            f"{text!r} is not a valid e-mail address: {error}", field=field
        ) from error
    return checked.local_part.lower(), checked.ascii_domain


def parse_email(text: str, *, field: str = "value") -> Contact:
    """Validate an e-mail address (syntax only, no DNS); return it in lower case.

    The domain is given in punycode: "user@bücher.de" becomes "user@xn--bcher-kva.de".
    """
    stripped = text.strip()
    plain = plain_email(stripped)
    if plain is None:
        plain = _email_parts_by_library(stripped, text=text, field=field)
    local_part, ascii_domain = plain
    # The domain in punycode, as DOMAIN keys are (and for the same reason: look-alike
    # Unicode domains must show); local parts are case-sensitive in theory only.
    host = normalize_host(ascii_domain, field=field, allow_ip=False)
    address = f"{local_part}@{host.name}"
    extra = {"domain": host.name}
    if host.registrable_domain is not None:
        extra["registrable_domain"] = host.registrable_domain
    return Contact(key=address, display=address, extra=extra)


def parse_phone(text: str, country: str | None, *, field: str = "value") -> Contact:
    """Validate a phone number and return it in E.164.

    A number written without "+" is read in `country`; the number must be valid by
    libphonenumber's metadata (length and prefix for its region), not merely parseable.
    An extension is kept in `extra`, not in the key.
    """
    region = None if country is None else normalize_country(country)
    stripped = text.strip()
    if region is None and not stripped.startswith(("+", "tel:")):
        raise InvalidInput(
            "A phone number written without '+' and its country calling code needs "
            "a country to be read in.",
            field="country",
        )
    try:
        number = phonenumbers.parse(stripped, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidInput(f"{text!r} is not a phone number: {error}", field=field) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            f"{text!r} is not a valid phone number (wrong length or prefix for its country).",
            field=field,
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    extra = {"region": phonenumbers.region_code_for_number(number) or ""}
    if number.extension:
        extra["extension"] = number.extension
    return Contact(key=e164, display=shown, extra=extra)


def normalize_email(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """EMAIL: a syntactically valid address, lower case; its domain goes in `extra`."""
    text = require_text(value.value, field="value", what="An e-mail address")
    email = parse_email(text)
    return Normalized(kind=kind, match_key=email.key, display=email.display, extra=email.extra)


def normalize_phone(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """PHONE: a valid number in E.164; `country` reads numbers written without '+'."""
    text = require_text(value.value, field="value", what="A phone number")
    phone = parse_phone(text, value.country)
    return Normalized(kind=kind, match_key=phone.key, display=phone.display, extra=phone.extra)
