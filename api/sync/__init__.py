"""`alliance sync`: the reference client of a member system.

It talks to a running Alliance service over HTTP only, with a client-credentials token of
the member system's own client, as a member's own system would: `push` upserts a CSV or
NDJSON file through `indicatorsUpsert` in batches, `pull` mirrors the change feed into a
local SQLite file. Nothing here imports the service's code: what it knows of the service
is its public API (docs/api.md, docs/sync.md).
"""
