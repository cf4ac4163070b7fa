"""IMAGE_PDQ: 256-bit PDQ perceptual image hashes, and their Hamming distance."""

from __future__ import annotations

import re

from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize._text import require_text
from alliance.indicators.normalize._values import IndicatorValue, Normalized

# PDQ's own guidance: hashes of quality below 50 come from flat or tiny images and
# match unrelated pictures; two hashes within distance 31 show the same picture.
PDQ_MIN_QUALITY = 50
PDQ_NEAR_DUPLICATE_DISTANCE = 31

_PDQ_HEX = re.compile(r"[0-9a-f]{64}")


def _hash_bits(text: str, *, field: str) -> str:
    digits = text.strip().lower()
    if not _PDQ_HEX.fullmatch(digits):
        raise InvalidInput("A PDQ hash is 64 hexadecimal characters (256 bits).", field=field)
    return digits


def _require_quality(quality: int | None) -> int:
    if quality is None:
        raise InvalidInput("A PDQ hash needs its quality (0 to 100).", field="quality")
    if isinstance(quality, bool) or not 0 <= quality <= 100:
        raise InvalidInput("The PDQ quality is a whole number from 0 to 100.", field="quality")
    if quality < PDQ_MIN_QUALITY:
        raise InvalidInput(
            f"The PDQ quality {quality} is below {PDQ_MIN_QUALITY}: the image is too "
            "flat or too small for its hash to identify it.",
            field="quality",
        )
    return quality


def normalize_pdq(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """IMAGE_PDQ: the hash as 64 lower-case hex digits; quality (>= 50) goes in `extra`.

    The quality is not part of the key: the same hash seen twice is one picture.
    """
    text = require_text(value.value, field="value", what="A PDQ hash")
    digits = _hash_bits(text, field="value")
    quality = _require_quality(value.quality)
    return Normalized(kind=kind, match_key=digits, display=digits, extra={"quality": str(quality)})


def hamming_distance(a_hex: str, b_hex: str) -> int:
    """The number of differing bits between two PDQ hashes given as 64 hex digits.

    Raises InvalidInput (field "value") if either is not a 256-bit hex hash. Hashes at
    distance <= `PDQ_NEAR_DUPLICATE_DISTANCE` show the same picture.
    """
    a_bits = int(_hash_bits(a_hex, field="value"), 16)
    b_bits = int(_hash_bits(b_hex, field="value"), 16)
    return (a_bits ^ b_bits).bit_count()
