"""What one demo member reports: its infringer networks, single sightings of infringers,
values it shares with other members, and the audiences it gives them (pure, seeded).

Audiences follow what members do: mostly alliance-wide FULL, some ANONYMOUS, some for the
home region, some member lists, some MATCH_ONLY, a few excluding a competitor and a few
TLP:RED for one named member. Maison Lumière also holds the showcase records that the
README and the end-to-end test walk through (`SHOWCASE`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import unicodedata
import uuid
from collections.abc import Mapping, Sequence

from alliance.brands.models import Brand
from alliance.demo_values import Values, seeded
from alliance.indicators.bulk import LinkDraft
from alliance.indicators.drafts import IndicatorDraft
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize import IndicatorValue
from alliance.indicators.vocabulary import EvidenceLevel, LinkType, Purpose
from alliance.members.models import Member
from sharing.audience import Tlp, parse_audience

PER_MEMBER = 300
IN_NETWORKS = 0.45
SHARED_VALUES = 60
BASE_TIME = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
COMPETITORS = {
    "Maison Lumière SA": "Castellano Pelletteria S.p.A.",
    "Castellano Pelletteria S.p.A.": "Maison Lumière SA",
    "Velden Sportswear GmbH": "Redwood Outdoor Inc.",
    "Redwood Outdoor Inc.": "Velden Sportswear GmbH",
    "Sakura Beauty K.K.": "Andes Cosmetics S.A.",
    "Andes Cosmetics S.A.": "Sakura Beauty K.K.",
    "Jade Peak Electronics Co., Ltd.": "Hanok Home Appliances Co.",
    "Hanok Home Appliances Co.": "Jade Peak Electronics Co., Ltd.",
    "Golden Crane Apparel Co., Ltd.": "Velden Sportswear GmbH",
    "Lumen Pharma AG": "Andes Cosmetics S.A.",
}
# The records the README's two-views walkthrough and the end-to-end test rely on:
# external id -> (kind, value, audience with <competitor> standing for Castellano).
SHOWCASE_OWNER = "Maison Lumière SA"
SHOWCASE = {
    "showcase-regional": (IndicatorKind.DOMAIN, "lumiere-outlet-sale.shop", "region:EU=FULL"),
    "showcase-anonymous": (
        IndicatorKind.EMAIL,
        "orders@bags-wholesale-direct.top",
        "alliance=ANONYMOUS",
    ),
    "showcase-excluded": (
        IndicatorKind.DOMAIN,
        "atelier-l-replica.store",
        "alliance=FULL, exclude:<competitor>",
    ),
    "showcase-match-only": (
        IndicatorKind.EMAIL,
        "vip.orders@luxe-mirror.shop",
        "alliance=MATCH_ONLY",
    ),
}
NETWORK_KINDS: Mapping[IndicatorKind, LinkType] = {
    IndicatorKind.STOREFRONT_URL: LinkType.SAME_OPERATOR,
    IndicatorKind.SOCIAL_HANDLE: LinkType.SAME_OPERATOR,
    IndicatorKind.COMPANY_ID: LinkType.SAME_OPERATOR,
    IndicatorKind.DOMAIN: LinkType.REDIRECTS_TO,
    IndicatorKind.URL: LinkType.REDIRECTS_TO,
    IndicatorKind.EMAIL: LinkType.SHARES_CONTACT,
    IndicatorKind.PHONE: LinkType.SHARES_CONTACT,
    IndicatorKind.MESSAGING_ID: LinkType.SHARES_CONTACT,
    IndicatorKind.PAYMENT_ACCOUNT: LinkType.SHARES_PAYMENT_ACCOUNT,
    IndicatorKind.BANK_ACCOUNT: LinkType.SHARES_PAYMENT_ACCOUNT,
    IndicatorKind.TRACKING_NUMBER: LinkType.SHIPS_FROM,
    IndicatorKind.ADDRESS: LinkType.SHIPS_FROM,
    IndicatorKind.IMAGE_PDQ: LinkType.RELATED,
    IndicatorKind.LISTING: LinkType.RELATED,
}
SHARED_KINDS = (
    IndicatorKind.SELLER_ACCOUNT,
    IndicatorKind.DOMAIN,
    IndicatorKind.EMAIL,
    IndicatorKind.PHONE,
    IndicatorKind.PAYMENT_ACCOUNT,
    IndicatorKind.BANK_ACCOUNT,
)

Others = Mapping[str, tuple[uuid.UUID, str]]  # legal name -> (member id, home region)


@dataclasses.dataclass(frozen=True, slots=True)
class PlannedLink:
    """A link between two planned indicators, by external id."""

    source: str
    target: str
    link_type: LinkType

    def resolve(self, ids: Mapping[str, uuid.UUID]) -> LinkDraft:
        """The link draft once both ends are stored."""
        return LinkDraft(ids[self.source], ids[self.target], self.link_type)


@dataclasses.dataclass
class Plan:
    """One member's demo records."""

    drafts: list[IndicatorDraft] = dataclasses.field(default_factory=list)
    links: list[PlannedLink] = dataclasses.field(default_factory=list)
    retracted: list[str] = dataclasses.field(default_factory=list)


def slug(brand: str) -> str:
    """ "Lumière" -> "lumiere": the brand as infringers spell it in names."""
    ascii_name = unicodedata.normalize("NFKD", brand).encode("ascii", "ignore").decode()
    return "".join(char for char in ascii_name.lower() if char.isalnum())


def _audience(rng: random.Random, name: str, region: str, others: Others) -> tuple[str, Tlp]:
    roll = rng.random()
    peers = sorted(other for other in others if other != name)
    competitor = others.get(COMPETITORS.get(name, ""), (None, ""))[0]
    if roll < 0.58 or (competitor is None and roll >= 0.90):
        return "alliance=FULL", rng.choice((Tlp.AMBER, Tlp.AMBER, Tlp.GREEN, Tlp.CLEAR))
    if roll < 0.70:
        return "alliance=ANONYMOUS", Tlp.AMBER
    if roll < 0.80:
        return f"region:{region}=FULL", Tlp.AMBER
    if roll < 0.85:
        listed = [others[peer][0] for peer in rng.sample(peers, 3)]
        return ", ".join(f"member:{member}=FULL" for member in listed), Tlp.AMBER
    if roll < 0.90:
        return "alliance=MATCH_ONLY", Tlp.AMBER
    if roll < 0.96:
        return f"alliance=FULL, exclude:{competitor}", Tlp.AMBER_STRICT
    return f"member:{others[rng.choice(peers)][0]}=FULL", Tlp.RED


def _draft(
    rng: random.Random,
    external_id: str,
    kind: IndicatorKind,
    value: IndicatorValue,
    audience: tuple[str, Tlp],
    brands: Sequence[Brand],
) -> IndicatorDraft:
    first_seen = BASE_TIME - dt.timedelta(days=rng.randint(20, 400), hours=rng.randint(0, 23))
    evidence = rng.choices(list(EvidenceLevel), weights=(60, 25, 12, 3))[0]
    return IndicatorDraft(
        kind=kind,
        value=value,
        brand_ids=tuple(
            brand.id for brand in rng.sample(list(brands), rng.randint(1, len(brands)))
        ),
        confidence=rng.randint(45, 98),
        evidence_level=evidence,
        jurisdiction=rng.choice(("CN", "CN", "HK", "US", "DE", "FR", "IT", "GB", "TR", "AE")),
        purpose=rng.choices(list(Purpose), weights=(55, 10, 10, 25))[0],
        tlp=audience[1],
        first_seen=first_seen,
        last_seen=first_seen + dt.timedelta(days=rng.randint(0, 19)),
        external_id=external_id,
        audience=parse_audience(audience[0]),
    )


def shared_values() -> list[tuple[IndicatorKind, IndicatorValue]]:
    """Infringers several members report (the same match key from 2-4 members)."""
    rng = seeded("alliance-demo:shared")
    values = Values(rng, "replica")
    return [(kind, values.make(kind)) for kind in rng.choices(SHARED_KINDS, k=SHARED_VALUES)]


def _shared_of(name: str, others: Others) -> list[int]:
    """Which shared values `name` holds: each goes to 2-4 members, the same every run."""
    rng = seeded("alliance-demo:holders")
    members = sorted(others)
    return [n for n in range(SHARED_VALUES) if name in rng.sample(members, rng.randint(2, 4))]


def _network(rng: random.Random, number: int, values: Values, add: _Adder) -> None:
    size = rng.randint(3, 8)
    audience = add.audience()
    hub = add(f"net-{number}-0", IndicatorKind.SELLER_ACCOUNT, values.seller_account(), audience)
    for n, kind in enumerate(rng.sample(list(NETWORK_KINDS), size - 1), start=1):
        member_id = add(f"net-{number}-{n}", kind, values.make(kind), audience)
        add.plan.links.append(PlannedLink(hub, member_id, NETWORK_KINDS[kind]))


@dataclasses.dataclass
class _Adder:
    rng: random.Random
    member: Member
    brands: Sequence[Brand]
    others: Others
    plan: Plan

    def audience(self) -> tuple[str, Tlp]:
        return _audience(self.rng, self.member.legal_name, self.member.region_code, self.others)

    def __call__(
        self,
        external_id: str,
        kind: IndicatorKind,
        value: IndicatorValue,
        audience: tuple[str, Tlp],
    ) -> str:
        draft = _draft(self.rng, f"demo-{external_id}", kind, value, audience, self.brands)
        self.plan.drafts.append(draft)
        return f"demo-{external_id}"


def _showcase(add: _Adder) -> None:
    competitor = add.others[COMPETITORS[SHOWCASE_OWNER]][0]
    for external_id, (kind, value, audience) in SHOWCASE.items():
        text = audience.replace("<competitor>", str(competitor))
        add(external_id, kind, IndicatorValue(value=value), (text, Tlp.AMBER))


def plan_member(
    rng: random.Random, member: Member, brands: Sequence[Brand], others: Others
) -> Plan:
    """The demo records of `member` (one of `others`), drawn from `rng`."""
    add = _Adder(rng, member, brands, others, Plan())
    values = Values(rng, slug(brands[0].name) if brands else "brand")
    if member.legal_name == SHOWCASE_OWNER and COMPETITORS[SHOWCASE_OWNER] in others:
        _showcase(add)
    shared = shared_values()
    for n in _shared_of(member.legal_name, others):
        kind, value = shared[n]
        add(f"shared-{n}", kind, value, ("alliance=FULL", Tlp.AMBER))
    number = 0
    while len(add.plan.drafts) < PER_MEMBER * IN_NETWORKS:
        _network(rng, number, values, add)
        number += 1
    kinds = [IndicatorKind.SELLER_ACCOUNT, IndicatorKind.LISTING, *NETWORK_KINDS]
    while len(add.plan.drafts) < PER_MEMBER:
        external_id = add(
            f"single-{len(add.plan.drafts)}",
            (kind := rng.choice(kinds)),
            values.make(kind),
            add.audience(),
        )
        if rng.random() < 0.03:
            add.plan.retracted.append(external_id)
    return add.plan
