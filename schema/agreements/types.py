from __future__ import annotations

import datetime as dt

import strawberry

from alliance.agreements.models import Agreement


@strawberry.type(name="Agreement", description="A version of the data-sharing agreement.")
class AgreementType:
    version: int
    text: str
    published_at: dt.datetime

    @classmethod
    def from_model(cls, agreement: Agreement) -> AgreementType:
        return cls(
            version=agreement.version, text=agreement.text, published_at=agreement.published_at
        )
