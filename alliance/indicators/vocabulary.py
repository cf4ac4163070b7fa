"""The closed vocabularies of indicators, sightings and links (DESIGN §2)."""

from __future__ import annotations

import enum


class EvidenceLevel(enum.StrEnum):
    """How an indicator was established, weakest first."""

    OBSERVED = "OBSERVED"
    TEST_BUY = "TEST_BUY"
    PLATFORM_DECISION = "PLATFORM_DECISION"
    COURT_ORDER = "COURT_ORDER"


class Purpose(enum.StrEnum):
    """What the owner shares an indicator for."""

    TAKEDOWN = "TAKEDOWN"
    LITIGATION = "LITIGATION"
    LAW_ENFORCEMENT_REFERRAL = "LAW_ENFORCEMENT_REFERRAL"
    MONITORING = "MONITORING"


class IndicatorStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    RETRACTED = "RETRACTED"
    EXPIRED = "EXPIRED"


class RemoveReason(enum.StrEnum):
    """Why a record left a viewer's view."""

    RETRACTED = "RETRACTED"
    EXPIRED = "EXPIRED"
    DELETED = "DELETED"  # purged, or the row is gone
    ACCESS_REVOKED = "ACCESS_REVOKED"  # narrowed, excluded, withdrawn, ...


class SightingKind(enum.StrEnum):
    """A member's corroboration of an indicator it can see."""

    SEEN = "SEEN"
    FALSE_POSITIVE = "FALSE_POSITIVE"
    TAKEN_DOWN = "TAKEN_DOWN"


class LinkType(enum.StrEnum):
    """How two indicators relate; linked indicators form infringer networks."""

    SAME_OPERATOR = "SAME_OPERATOR"
    SHARES_PAYMENT_ACCOUNT = "SHARES_PAYMENT_ACCOUNT"
    SHARES_CONTACT = "SHARES_CONTACT"
    SHIPS_FROM = "SHIPS_FROM"
    REDIRECTS_TO = "REDIRECTS_TO"
    RELATED = "RELATED"


class IndicatorOrder(enum.StrEnum):
    """Orderings of the indicator list; each is a keyset (column, id)."""

    LAST_SEEN_DESC = "LAST_SEEN_DESC"
    FIRST_SEEN_DESC = "FIRST_SEEN_DESC"
    CONFIDENCE_DESC = "CONFIDENCE_DESC"
    VALUE_ASC = "VALUE_ASC"


class UpsertStatus(enum.StrEnum):
    """What a bulk upsert did with one item."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    REJECTED = "REJECTED"


class RetractStatus(enum.StrEnum):
    """What a bulk retraction did with one item (UNCHANGED: it was retracted already)."""

    RETRACTED = "RETRACTED"
    UNCHANGED = "UNCHANGED"
    REJECTED = "REJECTED"
