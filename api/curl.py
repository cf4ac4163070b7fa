"""The curl command that calls /graphql with a token, as the CLI and the demo login print it."""

from __future__ import annotations

import json
import shlex

SAMPLE_QUERY = (
    "{ viewer { kind roles member { legalName } } members(first: 5) "
    "{ totalCount edges { node { legalName region { code } brands { name } } } } }"
)


def curl_command(base_url: str, token: str, query: str = SAMPLE_QUERY) -> str:
    """A ready-to-paste curl of `query` against `base_url`/graphql, with `token`."""
    body = json.dumps({"query": query}, ensure_ascii=False)
    return (
        f"curl -s {base_url}/graphql -H 'Content-Type: application/json' "
        f"-H 'Authorization: Bearer {token}' -d {shlex.quote(body)}"
    )
