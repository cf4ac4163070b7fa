"""The one entry point: pick the normaliser of an indicator kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from alliance.errors import InvalidInput
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize._accounts import (
    normalize_listing,
    normalize_messaging_id,
    normalize_payment_account,
    normalize_seller_account,
    normalize_social_handle,
)
from alliance.indicators.normalize._address import normalize_address
from alliance.indicators.normalize._contact import normalize_email, normalize_phone
from alliance.indicators.normalize._pdq import normalize_pdq
from alliance.indicators.normalize._registries import (
    normalize_bank_account,
    normalize_company_id,
)
from alliance.indicators.normalize._tracking import normalize_tracking_number
from alliance.indicators.normalize._values import IndicatorValue, Normalized
from alliance.indicators.normalize._web import normalize_domain, normalize_url

Normalizer = Callable[[IndicatorKind, IndicatorValue], Normalized]

_NORMALIZERS: Mapping[IndicatorKind, Normalizer] = MappingProxyType(
    {
        IndicatorKind.SELLER_ACCOUNT: normalize_seller_account,
        IndicatorKind.STOREFRONT_URL: normalize_url,
        IndicatorKind.URL: normalize_url,
        IndicatorKind.DOMAIN: normalize_domain,
        IndicatorKind.EMAIL: normalize_email,
        IndicatorKind.PHONE: normalize_phone,
        IndicatorKind.SOCIAL_HANDLE: normalize_social_handle,
        IndicatorKind.MESSAGING_ID: normalize_messaging_id,
        IndicatorKind.PAYMENT_ACCOUNT: normalize_payment_account,
        IndicatorKind.BANK_ACCOUNT: normalize_bank_account,
        IndicatorKind.COMPANY_ID: normalize_company_id,
        IndicatorKind.LISTING: normalize_listing,
        IndicatorKind.TRACKING_NUMBER: normalize_tracking_number,
        IndicatorKind.ADDRESS: normalize_address,
        IndicatorKind.IMAGE_PDQ: normalize_pdq,
    }
)


def normalize(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """Validate `value` as an indicator of `kind` and return its canonical form.

    Two inputs name the same thing exactly when their results have the same
    (kind, match_key). Normalising the result's `display` again as `value`, with the
    same other fields, gives the same key (ADDRESS excepted: its display is the whole
    address on one line). Pure: no database, no network, no clock.

    Raises InvalidInput, whose `field` names the input field at fault ("value",
    "platform", "platform_domain", "provider", "country", "locality", "region",
    "postal_code", "quality") and whose message says why; never another exception
    for bad input.
    """
    normalizer = _NORMALIZERS.get(kind)
    if normalizer is None:
        raise InvalidInput(f"{kind!r} is not an indicator kind.", field="kind")
    return normalizer(kind, value)
