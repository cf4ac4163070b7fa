"""TRACKING_NUMBER: parcel tracking numbers, with the UPU S10 check where it applies."""

from __future__ import annotations

import re

from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize._text import clean_identifier
from alliance.indicators.normalize._values import IndicatorValue, Normalized

# UPU S10 item identifier: 2 letters (service), 8 digits (serial), 1 check digit,
# 2 letters (ISO 3166-1 country of the issuing postal operator), e.g. "RR473124829GB".
_S10 = re.compile(r"[A-Z]{2}([0-9]{8})([0-9])[A-Z]{2}")
_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_SEPARATORS = re.compile(r"[\s\-.]+")
_TRACKING = re.compile(r"[A-Z0-9]{6,40}")


def s10_check_digit(serial: str) -> str:
    """The check digit of an 8-digit S10 serial number.

    UPU standard S10 ("Identification of postal items - 13-character identifier"): the
    serial digits are weighted 8, 6, 4, 2, 3, 5, 9, 7 and summed; the check digit is
    11 minus the sum modulo 11, with 10 written as 0 and 11 written as 5.
    """
    if len(serial) != len(_S10_WEIGHTS) or not serial.isascii() or not serial.isdigit():
        raise ValueError(f"An S10 serial number has 8 digits, not {serial!r}.")
    total = sum(int(digit) * weight for digit, weight in zip(serial, _S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "0", 11: "5"}.get(check, str(check))


def normalize_tracking_number(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """TRACKING_NUMBER: compact upper case; S10 numbers need a correct check digit."""
    text = clean_identifier(value.value, field="value", what="A tracking number")
    number = _SEPARATORS.sub("", text).upper()
    if not _TRACKING.fullmatch(number):
        raise InvalidInput(
            f"{text!r} is not a tracking number: expected 6 to 40 letters and digits.",
            field="value",
        )
    s10 = _S10.fullmatch(number)
    if s10 is None:
        return Normalized(kind=kind, match_key=number, display=number, extra={"format": "other"})
    serial, check = s10.groups()
    if s10_check_digit(serial) != check:
        raise InvalidInput(
            f"{text!r} has the UPU S10 form but its check digit is wrong.",
            field="value",
        )
    extra = {"format": "upu_s10", "country": number[-2:]}
    return Normalized(kind=kind, match_key=number, display=number, extra=extra)
