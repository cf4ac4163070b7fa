"""Every write leaves exactly one audit event, written in the same transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select

from alliance.audit.models import AuditEvent
from alliance.contact_requests import service as contact_service
from schema.app_schema import build_schema
from schema.ids import to_global_id
from sharing import MemberStatus, Role
from tests.fixtures.articles import Library
from tests.fixtures.experts import Experts
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel, member_viewer
from tests.fixtures.world import World

Case = Callable[[World], Awaitable[tuple[str, dict[str, Any], str]]]


async def _invite(world: World) -> tuple[str, dict[str, Any], str]:
    token = world.token(await world.alliance_admin())
    query = 'mutation { memberInvite(input: {legalName: "Audit SA", region: "CN"}) { errors { code } } }'
    return query, {}, token


def _status(operation: str, status: MemberStatus) -> Case:
    async def case(world: World) -> tuple[str, dict[str, Any], str]:
        member = await world.member(status=status, agreed=True)
        token = world.token(await world.alliance_admin())
        query = f"mutation($id: ID!) {{ {operation}(id: $id) {{ errors {{ code }} }} }}"
        return query, {"id": to_global_id("Member", member.id)}, token

    return case


async def _offboard(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member()
    query = "mutation($id: ID!) { memberOffboard(id: $id, dataDisposition: RETAIN) { errors { code } } }"
    return (
        query,
        {"id": to_global_id("Member", member.id)},
        world.token(await world.alliance_admin()),
    )


async def _brand_create(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member()
    query = """mutation($m: ID!) { brandCreate(input: {memberId: $m, name: "Audit",
      trademarks: [{office: "euipo", registrationNumber: "1", niceClasses: [25]}]}) { errors { code } } }"""
    return (
        query,
        {"m": to_global_id("Member", member.id)},
        world.token(await world.admin_of(member)),
    )


async def _brand_update(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member()
    from alliance.brands import service as brand_service
    from sharing import SYSTEM_VIEWER

    async with world.db.transaction() as session:
        brand = await brand_service.create(
            session, viewer=SYSTEM_VIEWER, member_id=member.id, name="Old"
        )
    query = 'mutation($id: ID!) { brandUpdate(input: {id: $id, name: "New"}) { errors { code } } }'
    return query, {"id": to_global_id("Brand", brand.id)}, world.token(await world.admin_of(member))


async def _user_invite(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member()
    query = """mutation($m: ID!) { userInvite(input: {memberId: $m, email: "a@b.example",
      roles: [ANALYST]}) { errors { code } } }"""
    return (
        query,
        {"m": to_global_id("Member", member.id)},
        world.token(await world.admin_of(member)),
    )


async def _user_role_set(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member()
    user = await world.user(member, Role.ANALYST)
    query = "mutation($id: ID!) { userRoleSet(id: $id, roles: [READ_ONLY]) { errors { code } } }"
    return query, {"id": to_global_id("User", user.id)}, world.token(await world.admin_of(member))


async def _user_deactivate(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member()
    user = await world.user(member, Role.ANALYST)
    query = "mutation($id: ID!) { userDeactivate(id: $id) { errors { code } } }"
    return query, {"id": to_global_id("User", user.id)}, world.token(await world.admin_of(member))


async def _agreement_publish(world: World) -> tuple[str, dict[str, Any], str]:
    query = 'mutation { agreementPublish(text: "A new agreement text, long enough.") { errors { code } } }'
    return query, {}, world.token(await world.alliance_admin())


async def _agreement_accept(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member(status=MemberStatus.INVITED, agreed=False)
    version = await world.agreement()
    query = "mutation($v: Int!) { agreementAccept(version: $v) { errors { code } } }"
    return query, {"v": version}, world.token(await world.admin_of(member))


async def _client_create(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member()
    query = """mutation($m: ID!) { clientCreate(input: {memberId: $m, name: "Audit tool",
      scopes: [INDICATORS_READ]}) { errors { code } } }"""
    return (
        query,
        {"m": to_global_id("Member", member.id)},
        world.token(await world.admin_of(member)),
    )


def _client_change(operation: str) -> Case:
    async def case(world: World) -> tuple[str, dict[str, Any], str]:
        member = await world.member()
        client = await world.client(member)
        query = f"mutation($id: ID!) {{ {operation}(id: $id) {{ errors {{ code }} }} }}"
        return (
            query,
            {"id": to_global_id("Client", client.id)},
            world.token(await world.admin_of(member)),
        )

    return case


async def _analyst_of(world: World) -> tuple[Any, str]:
    member = await world.member()
    return member, world.token(await world.user(member, Role.ANALYST))


async def _indicator_create(world: World) -> tuple[str, dict[str, Any], str]:
    _, token = await _analyst_of(world)
    query = """mutation { indicatorCreate(input: {value: {kind: EMAIL, value: "a@shop.com"},
      audience: "alliance=FULL"}) { errors { code } } }"""
    return query, {}, token


async def _indicators_upsert(world: World) -> tuple[str, dict[str, Any], str]:
    _, token = await _analyst_of(world)
    query = """mutation { indicatorsUpsert(input: {items: [{value: {kind: EMAIL,
      value: "bulk@shop.com"}, externalId: "case-1"}]}) { errors { code } } }"""
    return query, {}, token


def _own_indicator(operation: str, arguments: str) -> Case:
    async def case(world: World) -> tuple[str, dict[str, Any], str]:
        member, token = await _analyst_of(world)
        record = await Intel(world).indicator(member)
        query = f"mutation($id: ID!) {{ {operation}({arguments}) {{ errors {{ code }} }} }}"
        return query, {"id": to_global_id("Indicator", record.id)}, token

    return case


async def _identity_provider_register(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member()
    query = """mutation($m: ID!) { identityProviderRegister(input: {memberId: $m,
      issuer: "https://login.brand.example", clientId: "alliance", clientSecret: "s3cret",
      emailDomains: ["brand.example"]}) { errors { code } } }"""
    return (
        query,
        {"m": to_global_id("Member", member.id)},
        world.token(await world.admin_of(member)),
    )


async def _sighting_add(world: World) -> tuple[str, dict[str, Any], str]:
    owner = await world.member()
    record = await Intel(world).indicator(owner)
    _, token = await _analyst_of(world)
    query = """mutation($id: ID!) { sightingAdd(input: {indicatorId: $id, kind: SEEN})
      { errors { code } } }"""
    return query, {"id": to_global_id("Indicator", record.id)}, token


async def _link_create(world: World) -> tuple[str, dict[str, Any], str]:
    member, token = await _analyst_of(world)
    one, two = await Intel(world).indicator(member), await Intel(world).indicator(member)
    query = """mutation($a: ID!, $b: ID!) { linkCreate(input: {sourceId: $a, targetId: $b,
      kind: SAME_OPERATOR}) { errors { code } } }"""
    variables = {"a": to_global_id("Indicator", one.id), "b": to_global_id("Indicator", two.id)}
    return query, variables, token


async def _link_remove(world: World) -> tuple[str, dict[str, Any], str]:
    member, token = await _analyst_of(world)
    intel = Intel(world)
    link = await intel.link(member, await intel.indicator(member), await intel.indicator(member))
    query = "mutation($id: ID!) { linkRemove(id: $id) { errors { code } } }"
    return query, {"id": to_global_id("Link", link.id)}, token


async def _member_policy_set(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member()
    query = """mutation($m: ID!) { memberPolicySet(input: {memberId: $m, ceilings: [
      {recordType: INDICATOR, audience: "region:EU=FULL"}]}) { errors { code } } }"""
    return (
        query,
        {"m": to_global_id("Member", member.id)},
        world.token(await world.admin_of(member)),
    )


async def _retention_settings_set(world: World) -> tuple[str, dict[str, Any], str]:
    query = """mutation { retentionSettingsSet(input: {purgeAfterDays: 30,
      expiryDays: [{kind: DOMAIN, days: 200}]}) { errors { code } } }"""
    return query, {}, world.token(await world.alliance_admin())


async def _disclosure_settings_set(world: World) -> tuple[str, dict[str, Any], str]:
    query = (
        """mutation { disclosureSettingsSet(input: {minContributors: 6}) { errors { code } } }"""
    )
    return query, {}, world.token(await world.alliance_admin())


async def _trend_report_submit(world: World) -> tuple[str, dict[str, Any], str]:
    query = """mutation { trendReportSubmit(rows: [{month: "2025-01", region: "EU",
      platform: AMAZON, category: TOYS, testBuys: 3}]) { errors { code } } }"""
    return query, {}, world.token(await world.user(await world.member()))


async def _indicator_legal_hold_set(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member()
    record = await Intel(world).indicator(member)
    query = """mutation($id: ID!) { indicatorLegalHoldSet(id: $id, hold: true,
      reason: "Court case 2026/17") { errors { code } } }"""
    return (
        query,
        {"id": to_global_id("Indicator", record.id)},
        world.token(await world.admin_of(member)),
    )


async def _contact_request_send(world: World) -> tuple[str, dict[str, Any], str]:
    owner = await world.member()
    record = await Intel(world).indicator(owner, "alliance=MATCH_ONLY")
    _, token = await _analyst_of(world)
    query = """mutation($v: String!) { contactRequestSend(input: {value: {kind: EMAIL,
      value: $v}, message: "Shall we talk?"}) { errors { code } } }"""
    return query, {"v": record.value}, token


async def _contact_request_answer(world: World) -> tuple[str, dict[str, Any], str]:
    owner, sender = await world.member(), await world.member()
    record = await Intel(world).indicator(owner, "alliance=FULL")
    async with world.db.viewer_transaction(member_viewer(sender)) as session:
        [request] = await contact_service.send(
            session, viewer=member_viewer(sender), message="Hello", indicator_id=record.id
        )
    query = """mutation($id: ID!) { contactRequestAnswer(input: {id: $id, accept: true,
      message: "Write to us."}) { errors { code } } }"""
    return (
        query,
        {"id": to_global_id("ContactRequest", request.id)},
        world.token(await world.admin_of(owner)),
    )


async def _article_create(world: World) -> tuple[str, dict[str, Any], str]:
    _, token = await _analyst_of(world)
    query = """mutation { articleCreate(input: {kind: CASE_STUDY, title: "Audit",
      body: "A case.", audience: "alliance=FULL"}) { errors { code } } }"""
    return query, {}, token


def _own_article(operation: str, arguments: str) -> Case:
    async def case(world: World) -> tuple[str, dict[str, Any], str]:
        member = await world.member()
        article = await Library(world).article(member)
        query = f"mutation($id: ID!) {{ {operation}({arguments}) {{ errors {{ code }} }} }}"
        token = world.token(await world.user(member))
        return query, {"id": to_global_id("Article", article.id)}, token

    return case


async def _expert_profile_set(world: World) -> tuple[str, dict[str, Any], str]:
    _, token = await _analyst_of(world)
    query = """mutation { expertProfileSet(input: {topics: [CUSTOMS], languages: ["en"]}) {
      errors { code } } }"""
    return query, {}, token


async def _expert_profile_remove(world: World) -> tuple[str, dict[str, Any], str]:
    member = await world.member()
    person, _ = await Experts(world).profile(member)
    return "mutation { expertProfileRemove { errors { code } } }", {}, world.token(person)


CASES: dict[str, tuple[Case, str]] = {
    "articleCreate": (_article_create, "article.create"),
    "articleUpdate": (
        _own_article("articleUpdate", 'input: {id: $id, body: "Edited."}'),
        "article.update",
    ),
    "articleRetract": (_own_article("articleRetract", "id: $id"), "article.retract"),
    "articleShare": (
        _own_article("articleShare", 'id: $id, audience: "region:EU=FULL"'),
        "article.share",
    ),
    "identityProviderRegister": (_identity_provider_register, "identity_provider.register"),
    "clientCreate": (_client_create, "client.create"),
    "clientSecretRotate": (_client_change("clientSecretRotate"), "client.secret_rotate"),
    "clientRevoke": (_client_change("clientRevoke"), "client.revoke"),
    "indicatorCreate": (_indicator_create, "indicator.create"),
    "indicatorUpdate": (
        _own_indicator("indicatorUpdate", "input: {id: $id, confidence: 90}"),
        "indicator.update",
    ),
    "indicatorRetract": (_own_indicator("indicatorRetract", "id: $id"), "indicator.retract"),
    "indicatorsUpsert": (_indicators_upsert, "indicator.create"),
    "indicatorsRetract": (
        _own_indicator("indicatorsRetract", "input: {ids: [$id]}"),
        "indicator.retract",
    ),
    "indicatorShare": (
        _own_indicator("indicatorShare", 'id: $id, audience: "region:EU=FULL"'),
        "indicator.share",
    ),
    "sightingAdd": (_sighting_add, "sighting.add"),
    "linkCreate": (_link_create, "link.create"),
    "linkRemove": (_link_remove, "link.remove"),
    "memberPolicySet": (_member_policy_set, "member_policy.set"),
    "retentionSettingsSet": (_retention_settings_set, "retention_settings.set"),
    "disclosureSettingsSet": (_disclosure_settings_set, "disclosure_settings.set"),
    "trendReportSubmit": (_trend_report_submit, "trend_reports.submit"),
    "indicatorLegalHoldSet": (_indicator_legal_hold_set, "indicator.legal_hold_set"),
    "contactRequestSend": (_contact_request_send, "contact_request.send"),
    "contactRequestAnswer": (_contact_request_answer, "contact_request.answer"),
    "expertProfileSet": (_expert_profile_set, "expert_profile.create"),
    "expertProfileRemove": (_expert_profile_remove, "expert_profile.remove"),
    "memberInvite": (_invite, "member.invite"),
    "memberActivate": (_status("memberActivate", MemberStatus.INVITED), "member.activate"),
    "memberSuspend": (_status("memberSuspend", MemberStatus.ACTIVE), "member.suspend"),
    "memberReinstate": (_status("memberReinstate", MemberStatus.SUSPENDED), "member.reinstate"),
    "memberOffboard": (_offboard, "member.offboard"),
    "brandCreate": (_brand_create, "brand.create"),
    "brandUpdate": (_brand_update, "brand.update"),
    "userInvite": (_user_invite, "user.invite"),
    "userRoleSet": (_user_role_set, "user.roles_set"),
    "userDeactivate": (_user_deactivate, "user.deactivate"),
    "agreementPublish": (_agreement_publish, "agreement.publish"),
    "agreementAccept": (_agreement_accept, "agreement.accept"),
}


def test_every_mutation_has_an_audit_case() -> None:
    mutation_type = build_schema()._schema.mutation_type
    assert mutation_type is not None
    assert set(mutation_type.fields) == set(CASES)


@pytest.mark.parametrize("mutation", sorted(CASES))
async def test_a_successful_write_records_one_event(api: Api, world: World, mutation: str) -> None:
    case, action = CASES[mutation]
    query, variables, token = await case(world)
    async with world.db.session() as session:
        before = (
            await session.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
        ).first() or 0

    data = await api.query(query, variables, token=token)

    assert data[mutation]["errors"] == []
    async with world.db.session() as session:
        events = (await session.scalars(select(AuditEvent).where(AuditEvent.id > before))).all()
    assert [e.action for e in events] == [action]
    assert events[0].actor_kind == "USER"
    assert events[0].target_id
