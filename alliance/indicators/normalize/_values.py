"""The raw input of an indicator value and its normalised form."""

from __future__ import annotations

import dataclasses

from alliance.indicators.kinds import IndicatorKind, Platform


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorValue:
    """An indicator value as a member typed or sent it, before normalisation.

    Fields a kind does not use are ignored, so the service can pass the indicator's
    platform and country whatever the kind.

    - `value`: the value itself. For ADDRESS, the street lines.
    - `platform`: where the value was found. Part of the key of SELLER_ACCOUNT,
      SOCIAL_HANDLE, MESSAGING_ID and LISTING.
    - `platform_domain`: the web domain of the platform or provider when `platform` or
      `provider` is `Platform.OTHER` (e.g. "vinted.fr"): unlisted platforms stay apart.
    - `provider`: the payment provider of a PAYMENT_ACCOUNT.
    - `country`: ISO 3166-1 alpha-2. The registry of a COMPANY_ID, the country of an
      ADDRESS, and the region a PHONE (or WhatsApp id) written without "+" is read in.
    - `locality`, `region`, `postal_code`: the other ADDRESS fields (city, state or
      province, postal code).
    - `quality`: the PDQ quality (0-100) of an IMAGE_PDQ hash.
    """

    value: str
    platform: Platform | None = None
    platform_domain: str | None = None
    provider: Platform | None = None
    country: str | None = None
    locality: str | None = None
    region: str | None = None
    postal_code: str | None = None
    quality: int | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Normalized:
    """A normalised indicator value.

    - `match_key`: one canonical string; two inputs name the same thing exactly when
      they have the same (kind, match_key). Platform-scoped kinds carry the platform as
      a prefix ("taobao:seller123").
    - `display`: the value as people should read it (without the platform or country
      prefix); normalising it again with the same context gives the same key.
    - `extra`: derived facts worth storing, e.g.
      ``{"registrable_domain": "example.co.uk"}``.
    """

    kind: IndicatorKind
    match_key: str
    display: str
    extra: dict[str, str] = dataclasses.field(default_factory=dict)
