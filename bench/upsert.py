"""The mutation path of bench.bulk: `indicatorsUpsert` through the ASGI app, in process.

A member system of the writer (a client with the `sync` scope, its token minted with the
service's own keys) posts the drafts as GraphQL items in calls of 5,000, as `alliance
sync push` would; the app runs in this process behind httpx's ASGI transport (no socket),
so what is measured is the request: parsing, validation, cost, coercion, the bearer
check, the upsert and the answer. The body limit and the cost budget are raised for the
run (a call of 5,000 of these items is over the default 1 MiB; the answer's results cost
one point each).
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from alliance.clients import service as client_service
from alliance.config import Environment, Settings
from alliance.db import Database
from alliance.indicators.drafts import IndicatorDraft
from alliance.indicators.rules import MAX_BATCH
from api.app import create_app
from auth.grants import client_token
from auth.keys import KeyRing, ensure_key
from auth.tokens import TokenIssuer
from schema.ids import to_global_id
from sharing import SYSTEM_VIEWER, Scope
from sharing.audience import format_audience

UPSERT = """mutation($items: [IndicatorUpsertItemInput!]!) {
  indicatorsUpsert(input: {items: $items}) { errors { code message } results { status } } }"""


def item(draft: IndicatorDraft) -> dict[str, Any]:
    """The GraphQL item of a draft."""
    value = draft.value
    given = {
        "kind": draft.kind.name,
        "value": value.value,
        "platform": None if value.platform is None else value.platform.name,
        "platformDomain": value.platform_domain,
        "provider": None if value.provider is None else value.provider.name,
        "country": value.country,
        "locality": value.locality,
        "region": value.region,
        "postalCode": value.postal_code,
        "quality": value.quality,
    }
    found: dict[str, Any] = {
        "value": {name: field for name, field in given.items() if field is not None},
        "externalId": draft.external_id,
        "confidence": draft.confidence,
        "tlp": draft.tlp.name,
        "brandIds": [to_global_id("Brand", brand) for brand in draft.brand_ids],
    }
    if draft.audience is not None:
        found["audience"] = format_audience(draft.audience)
    return found


async def upsert_through_api(
    database: Database, member_id: uuid.UUID, batch: Sequence[IndicatorDraft]
) -> tuple[float, dict[str, int], int]:
    """Seconds to upsert `batch` through the API, the statuses counted, and the largest
    request body in bytes."""
    with tempfile.TemporaryDirectory() as keys:
        ensure_key(Path(keys))
        settings = dataclasses.replace(
            Settings(environment=Environment.TEST, database_url="unused", keys_dir=Path(keys)),
            max_body_bytes=64 * 1024 * 1024,
            cost_budget=10_000_000,
            cost_max_per_request=10_000_000,
        )
        async with database.transaction() as session:
            client, _secret = await client_service.create(
                session,
                viewer=SYSTEM_VIEWER,
                member_id=member_id,
                name="bench member system",
                scopes=[Scope.SYNC],
            )
        tokens = TokenIssuer(
            KeyRing(settings.keys_dir),
            issuer=settings.issuer,
            audience=settings.audience,
            ttl=settings.access_token_ttl,
        )
        headers = {"Authorization": f"Bearer {client_token(tokens, client)}"}
        app = create_app(settings, database=database)
        transport = httpx.ASGITransport(app=app)
        counted: dict[str, int] = {}
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            # The member system's own work (its JSON) is done before the clock starts.
            requests = [
                http.build_request(
                    "POST",
                    "/graphql",
                    json={
                        "query": UPSERT,
                        "variables": {"items": [item(d) for d in batch[start : start + MAX_BATCH]]},
                    },
                    headers=headers,
                )
                for start in range(0, len(batch), MAX_BATCH)
            ]
            largest = max(len(request.content) for request in requests)
            started = time.perf_counter()
            for request in requests:
                answer = (await http.send(request)).json()
                payload = answer["data"]["indicatorsUpsert"]
                assert payload["errors"] == [], payload["errors"]
                for result in payload["results"]:
                    counted[result["status"]] = counted.get(result["status"], 0) + 1
            elapsed = time.perf_counter() - started
        await app.state.buckets.close()
    return elapsed, counted, largest
