"""ISO 3166-1 alpha-2 country codes, for the `country` field of indicator values."""

from __future__ import annotations

from alliance.errors import InvalidInput

# ISO 3166-1 alpha-2 (249 officially assigned codes), plus XK (Kosovo), a user-assigned
# code that registries, phone numbering and postal services use.
_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    XK
"""
_ISO_3166_ALPHA_2 = frozenset(_CODES.split())

# Spellings people use for a country that are not its ISO code.
_ALIASES = {"UK": "GB", "EL": "GR"}


def normalize_country(text: str | None, *, field: str = "country") -> str:
    """The ISO 3166-1 alpha-2 code for `text`, upper case; InvalidInput if none."""
    if text is None or not text.strip():
        raise InvalidInput("A country (ISO 3166-1 alpha-2 code) is required.", field=field)
    code = text.strip().upper()
    code = _ALIASES.get(code, code)
    if code not in _ISO_3166_ALPHA_2:
        raise InvalidInput(
            f"{text.strip()!r} is not an ISO 3166-1 alpha-2 country code such as 'CN' or 'DE'.",
            field=field,
        )
    return code
