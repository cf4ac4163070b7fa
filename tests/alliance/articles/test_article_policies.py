"""The owner's sharing policy governs articles (record type ARTICLE): defaults, ceilings
and standing excludes at write time, and re-applied to existing articles on a change."""

from __future__ import annotations

from alliance.articles.vocabulary import ArticleKind
from sharing.audience import parse_audience
from sharing.policy import Ceiling, MemberPolicy, RecordType, RuleKey
from tests.fixtures.articles import Library
from tests.fixtures.graphql import Api
from tests.fixtures.indicators import Intel
from tests.fixtures.world import World

COUNT = "query { articles { totalCount } }"


async def test_a_policy_change_reaches_existing_articles(
    api: Api, world: World, intel: Intel, library: Library
) -> None:
    owner, rival = await world.member(region="EU"), await world.member(region="EU")
    cn = await world.member(region="CN")
    await library.article(owner, "alliance=FULL")
    rival_token = world.token(await world.user(rival))
    cn_token = world.token(await world.user(cn))
    assert (await api.query(COUNT, token=rival_token))["articles"]["totalCount"] == 1
    # when the owner excludes its rival and caps authentication guides at region:EU
    await intel.policy(
        MemberPolicy(
            member_id=owner.id,
            standing_excludes=frozenset({rival.id}),
            ceilings={
                RuleKey(RecordType.ARTICLE, ArticleKind.AUTHENTICATION_GUIDE.value): Ceiling(
                    parse_audience("region:EU=FULL")
                )
            },
        )
    )
    # then the existing article follows at once
    assert (await api.query(COUNT, token=rival_token))["articles"]["totalCount"] == 0
    assert (await api.query(COUNT, token=cn_token))["articles"]["totalCount"] == 0
    # and a new one is written under it; a write giving no audience gets the default
    await library.article(owner, "alliance=FULL", kind=ArticleKind.CASE_STUDY)
    await library.article(owner, None, kind=ArticleKind.CASE_STUDY)
    assert (await api.query(COUNT, token=cn_token))["articles"]["totalCount"] == 1
    assert (await api.query(COUNT, token=rival_token))["articles"]["totalCount"] == 0


async def test_the_policy_default_for_articles(
    api: Api, world: World, intel: Intel, library: Library
) -> None:
    owner = await world.member(region="EU")
    await intel.policy(
        MemberPolicy(
            member_id=owner.id,
            defaults={RuleKey(RecordType.ARTICLE): parse_audience("region:CN=ANONYMOUS")},
        )
    )
    await library.article(owner, None)
    cn = world.token(await world.user(await world.member(region="CN")))
    eu = world.token(await world.user(await world.member(region="EU")))
    query = "query { articles { edges { node { owner { label } } } } }"
    assert (await api.query(query, token=cn))["articles"]["edges"] == [
        {"node": {"owner": {"label": "a member in EU"}}}
    ]
    assert (await api.query(query, token=eu))["articles"]["edges"] == []
