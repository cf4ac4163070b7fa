"""BANK_ACCOUNT (IBAN or BIC) and COMPANY_ID (a national registry or tax id)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from stdnum import bic, iban
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError
from stdnum.util import get_cc_module

from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize._countries import normalize_country
from alliance.indicators.normalize._text import canonical, clean_identifier
from alliance.indicators.normalize._values import IndicatorValue, Normalized

if TYPE_CHECKING:
    from collections.abc import Iterator

    from stdnum.util import NumberValidationModule

# Company identifiers python-stdnum validates, per country, tried in this order; the
# country's VAT number ("vat" module) is tried after them wherever stdnum has one.
_COMPANY_ID_MODULES: dict[str, tuple[str, ...]] = {
    "AU": ("abn", "acn"),
    "BR": ("cnpj",),
    "CA": ("bn",),
    "CH": ("uid",),
    "CN": ("uscc",),
    "DE": ("handelsregisternummer",),
    "ES": ("cif", "nif"),
    "FR": ("siren", "siret", "tva"),
    "IN": ("gstin", "pan"),
    "ID": ("npwp",),
    "IT": ("iva",),
    "JP": ("cn",),
    "KR": ("brn",),
    "MX": ("rfc",),
    "NL": ("btw",),
    "RU": ("ogrn", "inn"),
    "SG": ("uen",),
    "TR": ("vkn",),
    "TW": ("ubn",),
    "US": ("ein",),
    "VN": ("mst",),
}

# What is left of an id in no known format: separators people type are dropped.
_SEPARATORS = re.compile(r"[\s\-./]+")


def normalize_bank_account(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """BANK_ACCOUNT: a compact IBAN, or a BIC without its "XXX" (head office) branch."""
    text = clean_identifier(value.value, field="value", what="An IBAN or BIC")
    if iban.is_valid(text):
        number = iban.compact(text)
        extra = {"scheme": "iban", "country": number[:2]}
        return Normalized(kind=kind, match_key=number, display=iban.format(number), extra=extra)
    if bic.is_valid(text):
        code = bic.compact(text).removesuffix("XXX")
        extra = {"scheme": "bic", "country": code[4:6]}
        return Normalized(kind=kind, match_key=code, display=code, extra=extra)
    raise InvalidInput(_bank_account_problem(text), field="value")


def _bank_account_problem(text: str) -> str:
    if re.fullmatch(r"[A-Za-z]{2}[0-9]{2}.*", iban.compact(text)):
        try:
            iban.validate(text)
        except ValidationError as error:
            return f"{text!r} is not a valid IBAN: {error}"
    return f"{text!r} is neither an IBAN nor a BIC (SWIFT code)."


def _modules(country: str) -> Iterator[tuple[str, NumberValidationModule]]:
    for name in (*_COMPANY_ID_MODULES.get(country, ()), "vat"):
        module = get_cc_module(country, name)
        if module is not None:
            yield name, module


def _known_format(
    country: str, text: str
) -> tuple[str, NumberValidationModule] | ValidationError | None:
    """The first format `text` is valid in, else the error of one it nearly fits."""
    near_miss: ValidationError | None = None
    for name, module in _modules(country):
        try:
            module.validate(text)
        except (InvalidChecksum, InvalidComponent) as error:
            near_miss = near_miss or error
        except ValidationError:
            continue
        else:
            return name, module
    return near_miss


def _formatted(module: NumberValidationModule, number: str) -> str:
    format_number = getattr(module, "format", None)
    return str(format_number(number)) if callable(format_number) else number


def normalize_company_id(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """COMPANY_ID: (country, registry id).

    Where python-stdnum knows a format of the country (e.g. CN USCC, FR SIREN, US EIN,
    EU VAT numbers) and the value fits one, the key holds its compact form. A value of
    the right shape whose check digit is wrong is refused. Values in no known format
    keep a compact upper-case form (white space, '-', '.', '/' removed).
    """
    country = normalize_country(value.country)
    text = clean_identifier(value.value, field="value", what="A company id")
    found = _known_format(country, text)
    if isinstance(found, ValidationError):
        raise InvalidInput(
            f"{text!r} looks like a {country} company id but fails its check: {found}",
            field="value",
        )
    if found is None:
        compact = canonical(_SEPARATORS.sub("", text).upper())
        if not compact:
            raise InvalidInput(f"{text!r} is not a company id.", field="value")
        return Normalized(
            kind=kind,
            match_key=f"{country}:{compact}",
            display=compact,
            extra={"scheme": "other"},
        )
    name, module = found
    number = module.compact(text)
    return Normalized(
        kind=kind,
        match_key=f"{country}:{number}",
        display=_formatted(module, number),
        extra={"scheme": name},
    )
