"""The demo's generated values: valid for their kind, check digits included, and the same
for the same seed."""

from __future__ import annotations

import pytest
from stdnum import iban

from alliance.demo_values import Values, seeded
from alliance.indicators.kinds import IndicatorKind
from alliance.indicators.normalize import normalize


@pytest.mark.parametrize("kind", list(IndicatorKind))
def test_every_generated_value_normalises(kind: IndicatorKind) -> None:
    values = Values(seeded(f"test:{kind}"), "lumiere")

    normalised = [normalize(kind, values.make(kind)) for _ in range(100)]

    assert len({n.match_key for n in normalised}) > 50  # varied, not one value repeated


def test_identifiers_carry_correct_check_digits() -> None:
    values = Values(seeded("test:check-digits"), "velden")

    banks = [normalize(IndicatorKind.BANK_ACCOUNT, values.bank_account()) for _ in range(50)]
    parcels = [
        normalize(IndicatorKind.TRACKING_NUMBER, values.tracking_number()) for _ in range(50)
    ]
    companies = [normalize(IndicatorKind.COMPANY_ID, values.company_id()) for _ in range(50)]

    assert all(iban.is_valid(bank.match_key) for bank in banks)
    assert {parcel.extra["format"] for parcel in parcels} == {"upu_s10"}
    assert {company.extra["scheme"] for company in companies} == {"uscc"}


def test_the_same_seed_gives_the_same_values() -> None:
    first, second = Values(seeded("same"), "sakura"), Values(seeded("same"), "sakura")

    assert [first.make(kind) for kind in IndicatorKind] == [
        second.make(kind) for kind in IndicatorKind
    ]
