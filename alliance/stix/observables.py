"""The STIX 2.1 observable of each indicator kind, and our custom ones.

Standard Cyber-observable Objects where STIX has one (domain-name, url, email-addr,
user-account); elsewhere a custom observable named `x-alliance-<kind>`, each declared by
its own published extension definition (STIX 2.1 §7.3: a `new-sco` extension defines one
object type), created by the alliance's identity. The custom objects carry the value as
people read it and, where the kind has one, the platform; their ids are the library's
deterministic ones (UUIDv5 of value and platform), so the same value gets the same id in
every export, whoever reported it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from types import MappingProxyType
from typing import Any

import stix2
from stix2.properties import StringProperty
from stix2.v21 import CustomObservable

from alliance.indicators.kinds import IndicatorKind

# Every id we derive (identities, extension definitions, collections) is a UUIDv5 in this
# namespace: stable across instances and releases. Never change it.
NAMESPACE = uuid.UUID("6d1e0f3c-5b8a-4c39-9a55-3f0d7e2b9c41")
# `created`/`modified` of the objects we publish once (identity, extension definitions):
# fixed, so that every export of them is byte-identical.
PUBLISHED = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
EXTENSION_VERSION = "1.0"

ALLIANCE_IDENTITY = stix2.v21.Identity(
    id=f"identity--{uuid.uuid5(NAMESPACE, 'alliance')}",
    name="Alliance",
    description="The anti-counterfeiting alliance's data-sharing service.",
    identity_class="organization",
    created=PUBLISHED,
    modified=PUBLISHED,
)

# Kinds without a standard observable: the custom type and what it is.
CUSTOM_TYPES: MappingProxyType[IndicatorKind, tuple[str, str]] = MappingProxyType(
    {
        IndicatorKind.SELLER_ACCOUNT: ("x-alliance-seller-account", "a seller on a marketplace"),
        IndicatorKind.STOREFRONT_URL: ("x-alliance-storefront", "a storefront's web address"),
        IndicatorKind.LISTING: ("x-alliance-listing", "a listing on a marketplace"),
        IndicatorKind.PHONE: ("x-alliance-phone-number", "a phone number (E.164)"),
        IndicatorKind.PAYMENT_ACCOUNT: (
            "x-alliance-payment-account",
            "an account with a payment provider",
        ),
        IndicatorKind.BANK_ACCOUNT: ("x-alliance-bank-account", "a bank account (IBAN or other)"),
        IndicatorKind.COMPANY_ID: ("x-alliance-company-id", "a company registration number"),
        IndicatorKind.TRACKING_NUMBER: ("x-alliance-tracking-number", "a parcel tracking number"),
        IndicatorKind.ADDRESS: ("x-alliance-postal-address", "a postal address"),
        IndicatorKind.IMAGE_PDQ: ("x-alliance-pdq-hash", "a PDQ perceptual hash of an image"),
    }
)

# Kinds whose account lives on a platform: STIX's user-account, `account_type` = platform.
USER_ACCOUNT_KINDS = frozenset({IndicatorKind.SOCIAL_HANDLE, IndicatorKind.MESSAGING_ID})
STANDARD_TYPES: MappingProxyType[IndicatorKind, str] = MappingProxyType(
    {
        IndicatorKind.DOMAIN: "domain-name",
        IndicatorKind.URL: "url",
        IndicatorKind.EMAIL: "email-addr",
        IndicatorKind.SOCIAL_HANDLE: "user-account",
        IndicatorKind.MESSAGING_ID: "user-account",
    }
)


def _extension_id(object_type: str) -> str:
    return f"extension-definition--{uuid.uuid5(NAMESPACE, object_type)}"


def _schema(object_type: str, what: str) -> str:
    # STIX allows the schema as plain text explaining the definition.
    return (
        f"{object_type}: {what}, as reported to the alliance. Properties: `value` (string, "
        "required): the value as people read it; `platform` (string): the marketplace, "
        "network or provider it belongs to, where there is one. Id contributing properties: "
        "value, platform."
    )


def _extension_definition(object_type: str, what: str) -> stix2.v21.ExtensionDefinition:
    return stix2.v21.ExtensionDefinition(
        id=_extension_id(object_type),
        created_by_ref=ALLIANCE_IDENTITY.id,
        created=PUBLISHED,
        modified=PUBLISHED,
        name=object_type,
        description=f"Alliance custom observable: {what}.",
        schema=_schema(object_type, what),
        version=EXTENSION_VERSION,
        extension_types=["new-sco"],
    )


EXTENSION_DEFINITIONS: MappingProxyType[str, stix2.v21.ExtensionDefinition] = MappingProxyType(
    {
        object_type: _extension_definition(object_type, what)
        for object_type, what in CUSTOM_TYPES.values()
    }
)


def _custom_class(object_type: str) -> type[Any]:
    # The library registers each type once per process; this module is imported once.
    shell = type(object_type.replace("-", "_"), (), {})
    declare = CustomObservable(
        object_type,
        [("value", StringProperty(required=True)), ("platform", StringProperty())],
        id_contrib_props=["value", "platform"],
        extension_name=_extension_id(object_type),
    )
    return declare(shell)  # type: ignore[no-any-return]


_CUSTOM_CLASSES: MappingProxyType[str, type[Any]] = MappingProxyType(
    {object_type: _custom_class(object_type) for object_type, _ in CUSTOM_TYPES.values()}
)


def object_type(kind: IndicatorKind) -> str:
    """The STIX type of `kind`'s observable."""
    if kind in CUSTOM_TYPES:
        return CUSTOM_TYPES[kind][0]
    return STANDARD_TYPES[kind]


def observable(kind: IndicatorKind, value: str, platform: str | None) -> Any:
    """The observable of one value of `kind` (a stix2 object)."""
    if kind in CUSTOM_TYPES:
        return _CUSTOM_CLASSES[CUSTOM_TYPES[kind][0]](value=value, platform=platform)
    if kind is IndicatorKind.DOMAIN:
        return stix2.v21.DomainName(value=value)
    if kind is IndicatorKind.URL:
        return stix2.v21.URL(value=value)
    if kind is IndicatorKind.EMAIL:
        return stix2.v21.EmailAddress(value=value)
    return stix2.v21.UserAccount(user_id=value, account_type=platform)


def _literal(text: str) -> str:
    # A STIX pattern string literal: quote and backslash escaped (STIX 2.1 §9.4).
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def pattern(kind: IndicatorKind, value: str, platform: str | None) -> str:
    """A STIX pattern that matches `kind`'s observable of `value` (on `platform`)."""
    stix_type = object_type(kind)
    if kind in USER_ACCOUNT_KINDS:
        terms = [f"user-account:user_id = {_literal(value)}"]
        if platform:
            terms.append(f"user-account:account_type = {_literal(platform)}")
    else:
        terms = [f"{stix_type}:value = {_literal(value)}"]
        if kind in CUSTOM_TYPES and platform:
            terms.append(f"{stix_type}:platform = {_literal(platform)}")
    return "[" + " AND ".join(terms) + "]"
