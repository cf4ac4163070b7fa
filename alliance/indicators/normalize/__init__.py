"""Normalisation of indicator values (DESIGN §2): validation and one match key per kind.

    normalize(kind, IndicatorValue(...)) -> Normalized(kind, match_key, display, extra)

Each kind lives in its own private module (`_web`, `_contact`, `_accounts`,
`_registries`, `_tracking`, `_address`, `_pdq`); this package re-exports the public
surface. Bad input raises `alliance.errors.InvalidInput` naming the field at fault.
"""

from __future__ import annotations

from alliance.indicators.normalize._dispatch import normalize
from alliance.indicators.normalize._pdq import (
    PDQ_MIN_QUALITY,
    PDQ_NEAR_DUPLICATE_DISTANCE,
    hamming_distance,
)
from alliance.indicators.normalize._tracking import s10_check_digit
from alliance.indicators.normalize._values import IndicatorValue, Normalized

__all__ = [
    "PDQ_MIN_QUALITY",
    "PDQ_NEAR_DUPLICATE_DISTANCE",
    "IndicatorValue",
    "Normalized",
    "hamming_distance",
    "normalize",
    "s10_check_digit",
]
