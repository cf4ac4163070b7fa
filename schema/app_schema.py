"""The GraphQL schema, assembled once at start-up from each domain's fields."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from schema.agreements.mutations.agreement_accept import agreement_accept
from schema.agreements.mutations.agreement_publish import agreement_publish
from schema.agreements.queries import agreement
from schema.articles.mutations.article_create import article_create
from schema.articles.mutations.article_retract import article_retract
from schema.articles.mutations.article_share import article_share
from schema.articles.mutations.article_update import article_update
from schema.articles.queries import article_search, articles
from schema.articles.types import ArticleType
from schema.brands.mutations.brand_create import brand_create
from schema.brands.mutations.brand_update import brand_update
from schema.brands.types import BrandType
from schema.clients.mutations.client_create import client_create
from schema.clients.mutations.client_revoke import client_revoke
from schema.clients.mutations.client_secret_rotate import client_secret_rotate
from schema.clients.queries import clients
from schema.clients.types import ClientType
from schema.contact_requests.mutations.contact_request_answer import contact_request_answer
from schema.contact_requests.mutations.contact_request_send import contact_request_send
from schema.contact_requests.queries import contact_requests
from schema.control_characters import RefuseControlCharacters
from schema.cost_limit import CostLimit, CostPolicy
from schema.error_policy import ErrorPolicy
from schema.experts.mutations.expert_profile_remove import expert_profile_remove
from schema.experts.mutations.expert_profile_set import expert_profile_set
from schema.experts.queries import experts, my_expert_profile
from schema.experts.types import ExpertProfileType
from schema.identity_providers.mutations.identity_provider_register import (
    identity_provider_register,
)
from schema.identity_providers.queries import identity_provider
from schema.indicators.changes import changes
from schema.indicators.images import similar_images
from schema.indicators.live import changes as live_changes
from schema.indicators.mutations.indicator_create import indicator_create
from schema.indicators.mutations.indicator_legal_hold_set import indicator_legal_hold_set
from schema.indicators.mutations.indicator_retract import indicator_retract
from schema.indicators.mutations.indicator_share import indicator_share
from schema.indicators.mutations.indicator_update import indicator_update
from schema.indicators.mutations.indicators_retract import indicators_retract
from schema.indicators.mutations.indicators_upsert import indicators_upsert
from schema.indicators.mutations.link_create import link_create
from schema.indicators.mutations.link_remove import link_remove
from schema.indicators.mutations.sighting_add import sighting_add
from schema.indicators.network import infringer_network
from schema.indicators.queries import indicators, match
from schema.indicators.stix import indicators_stix
from schema.indicators.types import IndicatorType, LinkObject, SightingType
from schema.members.mutations.member_activate import member_activate
from schema.members.mutations.member_invite import member_invite
from schema.members.mutations.member_offboard import member_offboard
from schema.members.mutations.member_reinstate import member_reinstate
from schema.members.mutations.member_suspend import member_suspend
from schema.members.queries import members
from schema.members.types import MemberType
from schema.node import node, nodes
from schema.operation_name import RequireOperationName
from schema.policies.mutations.member_policy_set import member_policy_set
from schema.policies.queries import member_policy
from schema.read_audit import ReadAudit
from schema.regions.queries import regions
from schema.reserved_aliases import NoReservedAliases
from schema.retention.mutations.retention_settings_set import retention_settings_set
from schema.retention.queries import retention_settings_query
from schema.socket_operations import SubscriptionsOnlyOverSockets
from schema.trends.indicator_trends import indicator_trends
from schema.trends.mutations.disclosure_settings_set import disclosure_settings_set
from schema.trends.mutations.trend_report_submit import trend_report_submit
from schema.trends.queries import disclosure_settings_query, trend_reports, trends, trends_csv
from schema.users.mutations.user_deactivate import user_deactivate
from schema.users.mutations.user_invite import user_invite
from schema.users.mutations.user_role_set import user_role_set
from schema.users.types import UserType
from schema.viewer.queries import viewer


@strawberry.type(description="What you can read.")
class Query:
    node = node
    nodes = nodes
    viewer = viewer
    regions = regions
    members = members
    agreement = agreement
    clients = clients
    identity_provider = identity_provider
    indicators = indicators
    match = match
    indicators_stix = indicators_stix
    changes = changes
    similar_images = similar_images
    contact_requests = contact_requests
    experts = experts
    my_expert_profile = my_expert_profile
    infringer_network = infringer_network
    member_policy = member_policy
    retention_settings = retention_settings_query
    articles = articles
    article_search = article_search
    trend_reports = trend_reports
    trends = trends
    trends_csv = trends_csv
    disclosure_settings = disclosure_settings_query
    indicator_trends = indicator_trends


@strawberry.type(description="What you can change. Each returns a payload with typed errors.")
class Mutation:
    member_invite = member_invite
    member_activate = member_activate
    member_suspend = member_suspend
    member_reinstate = member_reinstate
    member_offboard = member_offboard
    brand_create = brand_create
    brand_update = brand_update
    user_invite = user_invite
    user_role_set = user_role_set
    user_deactivate = user_deactivate
    agreement_publish = agreement_publish
    agreement_accept = agreement_accept
    client_create = client_create
    client_secret_rotate = client_secret_rotate
    client_revoke = client_revoke
    identity_provider_register = identity_provider_register
    indicator_create = indicator_create
    indicator_update = indicator_update
    indicator_retract = indicator_retract
    indicator_share = indicator_share
    indicators_upsert = indicators_upsert
    indicators_retract = indicators_retract
    sighting_add = sighting_add
    link_create = link_create
    link_remove = link_remove
    member_policy_set = member_policy_set
    retention_settings_set = retention_settings_set
    indicator_legal_hold_set = indicator_legal_hold_set
    contact_request_send = contact_request_send
    contact_request_answer = contact_request_answer
    article_create = article_create
    article_update = article_update
    article_retract = article_retract
    article_share = article_share
    expert_profile_set = expert_profile_set
    expert_profile_remove = expert_profile_remove
    trend_report_submit = trend_report_submit
    disclosure_settings_set = disclosure_settings_set


@strawberry.type(description="What is pushed to you over a WebSocket (graphql-transport-ws).")
class Subscription:
    changes = live_changes


def build_schema(cost: CostPolicy | None = None) -> strawberry.Schema:
    """The schema with its limits; build it once per process. Without a `cost` policy,
    the default maximum and budgets, kept in this process."""
    cost_policy = cost or CostPolicy.in_process()
    # The limiters' rules are classes made once here: strawberry's validation cache is
    # keyed on the rules, and a limiter built per request makes new classes each time, so
    # every request was validated again (the largest item of `{ viewer { kind } }`'s profile).
    rules = [
        *QueryDepthLimiter(max_depth=12).validation_rules,
        *MaxAliasesLimiter(max_alias_count=30).validation_rules,
        NoReservedAliases,
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            MemberType,
            BrandType,
            UserType,
            ClientType,
            IndicatorType,
            SightingType,
            LinkObject,
            ArticleType,
            ExpertProfileType,
        ],
        config=StrawberryConfig(auto_camel_case=True),
        extensions=[
            ErrorPolicy,
            SubscriptionsOnlyOverSockets,
            RequireOperationName,
            RefuseControlCharacters,
            ReadAudit,
            lambda: AddValidationRules(rules),
            lambda: MaxTokensLimiter(max_token_count=5000),
            lambda: CostLimit(policy=cost_policy),
            lambda: ParserCache(maxsize=256),
            lambda: ValidationCache(maxsize=256),
        ],
    )
