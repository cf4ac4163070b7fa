"""Authorization responses name their issuer (RFC 9207), success and error alike, so an
app talking to several servers cannot be sent another server's code; only RFC 8414
metadata is published (we issue no ID tokens: docs/auth.md)."""

from __future__ import annotations

import secrets

from tests.fixtures.federation import Federated, query_of
from tests.fixtures.graphql import Api

ISSUER = "http://testserver"


async def test_a_code_response_carries_the_issuer(federated: Federated) -> None:
    async with federated.browser() as browser:
        redirect = await federated.code_for(browser, secrets.token_urlsafe(48))
    answer = query_of(redirect)
    assert set(answer) == {"code", "state", "iss"}
    assert answer["iss"] == ISSUER


async def test_an_error_response_carries_the_issuer(federated: Federated) -> None:
    async with federated.browser() as browser:
        no_pkce = await federated.code_for(browser, None)
        no_scope = await federated.code_for(
            browser, secrets.token_urlsafe(48), scope="members:manage"
        )
    assert query_of(no_pkce)["error"] == "invalid_request"
    assert query_of(no_pkce)["iss"] == ISSUER
    assert query_of(no_scope)["error"] == "invalid_scope"
    assert query_of(no_scope)["iss"] == ISSUER


async def test_metadata_says_so_and_no_openid_configuration_is_published(api: Api) -> None:
    metadata = (await api.client.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert "id_token_signing_alg_values_supported" not in metadata
    assert (await api.client.get("/.well-known/openid-configuration")).status_code == 404
