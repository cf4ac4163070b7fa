"""Platform-scoped ids: sellers, handles, messaging ids, listings, payment accounts.

Their match key is "<platform>:<id>", or "other:<platform domain>:<id>" for a platform
outside the `Platform` list. Platform values and domains never contain ":", so the key
reads back unambiguously whatever the id contains.
"""

from __future__ import annotations

from alliance.errors import InvalidInput
from alliance.indicators.kinds import (
    PAYMENT_PROVIDERS,
    PHONE_NUMBER_PLATFORMS,
    CaseRule,
    IndicatorKind,
    Platform,
    account_id_case,
    listing_id_case,
)
from alliance.indicators.normalize._contact import Contact, parse_email, parse_phone
from alliance.indicators.normalize._text import (
    clean_identifier,
    looks_like_url,
    require_text,
)
from alliance.indicators.normalize._values import IndicatorValue, Normalized
from alliance.indicators.normalize._web import normalize_host


def _scope(platform: Platform | None, value: IndicatorValue, *, field: str) -> tuple[Platform, str]:
    """The platform and the key prefix naming it: "taobao", "other:vinted.fr"."""
    if platform is None:
        raise InvalidInput(f"This kind of indicator needs a {field}.", field=field)
    if platform is not Platform.OTHER:
        return platform, platform.value
    if value.platform_domain is None or not value.platform_domain.strip():
        raise InvalidInput(
            f"A {field} of OTHER needs its web domain (e.g. 'vinted.fr') so that ids "
            "of different platforms never match.",
            field="platform_domain",
        )
    host = normalize_host(value.platform_domain.strip(), field="platform_domain", allow_ip=False)
    return platform, f"{platform.value}:{host.registrable_domain}"


def _identifier(value: IndicatorValue, *, what: str, case: CaseRule) -> str:
    text = clean_identifier(value.value, field="value", what=what)
    if looks_like_url(text):
        raise InvalidInput(
            f"Give the {what.lower()} itself, not a web address; record web addresses as URLs.",
            field="value",
        )
    return case.apply(text)


def _handle(value: IndicatorValue, *, platform: Platform, what: str) -> str:
    text = clean_identifier(value.value, field="value", what=what).lstrip("@")
    if not text:
        raise InvalidInput(f"{what} is empty once '@' is removed.", field="value")
    if looks_like_url(text) or any(char.isspace() or char == "/" for char in text):
        raise InvalidInput(
            f"{what} must be a single name without spaces or '/', e.g. 'shop_name' "
            "rather than a profile address.",
            field="value",
        )
    return account_id_case(platform).apply(text)


def normalize_seller_account(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """SELLER_ACCOUNT: (platform, seller id), case folded per platform."""
    platform, scope = _scope(value.platform, value, field="platform")
    seller = _identifier(value, what="Seller id", case=account_id_case(platform))
    return Normalized(kind=kind, match_key=f"{scope}:{seller}", display=seller)


def normalize_listing(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """LISTING: (platform, listing id), e.g. an Amazon ASIN or an eBay item number."""
    platform, scope = _scope(value.platform, value, field="platform")
    listing = _identifier(value, what="Listing id", case=listing_id_case(platform))
    if any(char.isspace() for char in listing):
        raise InvalidInput("A listing id has no spaces.", field="value")
    return Normalized(kind=kind, match_key=f"{scope}:{listing}", display=listing)


def normalize_social_handle(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """SOCIAL_HANDLE: (platform, handle without '@'), case folded per platform."""
    platform, scope = _scope(value.platform, value, field="platform")
    handle = _handle(value, platform=platform, what="A handle")
    return Normalized(kind=kind, match_key=f"{scope}:{handle}", display=f"@{handle}")


def normalize_messaging_id(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """MESSAGING_ID: (platform, id); WhatsApp ids are phone numbers, kept in E.164."""
    platform, scope = _scope(value.platform, value, field="platform")
    if platform in PHONE_NUMBER_PLATFORMS:
        text = require_text(value.value, field="value", what="A WhatsApp number")
        phone = parse_phone(text, value.country)
        extra = {"phone": phone.key, **phone.extra}
        return Normalized(
            kind=kind,
            match_key=f"{scope}:{phone.key}",
            display=phone.display,
            extra=extra,
        )
    messaging_id = _handle(value, platform=platform, what="A messaging id")
    return Normalized(kind=kind, match_key=f"{scope}:{messaging_id}", display=messaging_id)


def _payment_account(value: IndicatorValue, provider: Platform) -> Contact:
    text = clean_identifier(value.value, field="value", what="A payment account id")
    if "@" in text:
        email = parse_email(text)
        return Contact(key=email.key, display=email.display, extra={"form": "email"})
    if text.startswith("+"):
        phone = parse_phone(text, None)
        return Contact(key=phone.key, display=phone.display, extra={"form": "phone"})
    account = _identifier(value, what="Payment account id", case=account_id_case(provider))
    return Contact(key=account, display=account, extra={"form": "id"})


def normalize_payment_account(kind: IndicatorKind, value: IndicatorValue) -> Normalized:
    """PAYMENT_ACCOUNT: (provider, account id).

    An id with "@" is an e-mail address and one starting with "+" a phone number: both
    are validated and normalised as such. Other ids follow the provider's case rule.
    """
    if value.provider is not None and value.provider not in PAYMENT_PROVIDERS:
        raise InvalidInput(f"{value.provider.value!r} is not a payment provider.", field="provider")
    platform, scope = _scope(value.provider, value, field="provider")
    account = _payment_account(value, platform)
    return Normalized(
        kind=kind,
        match_key=f"{scope}:{account.key}",
        display=account.display,
        extra=account.extra,
    )
