"""The `alliance` command: serve, migrate, demo data, admins, tokens, keys, the schema."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from alliance import demo, demo_articles, demo_experts, demo_intel, demo_trends, migrate
from alliance import principals as principal_service
from alliance.articles.storage import store_named
from alliance.clients import service as client_service
from alliance.config import ConfigurationError, Environment, Settings
from alliance.db import Database
from alliance.policies import reapply as policy_reapply
from alliance.principals import CLI_CLIENT_ID, Credential
from alliance.retention import job as retention_job
from alliance.trends import releases as trend_releases
from alliance.users import service as user_service
from api.app import create_app
from api.curl import curl_command
from api.sync import commands as sync_commands
from auth import keys as key_store
from auth.grants import client_token, user_token
from auth.keys import KeyRing
from auth.tokens import TokenIssuer
from schema.app_schema import build_schema
from schema.ids import to_global_id
from sharing import SYSTEM_VIEWER, PrincipalKind, Role, Scope

app = typer.Typer(
    help="Alliance: the anti-counterfeiting alliance's data-sharing service.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
admin_app = typer.Typer(help="Alliance administrators.", no_args_is_help=True)
keys_app = typer.Typer(help="Token signing keys.", no_args_is_help=True)
retention_app = typer.Typer(help="Expiry and purge of indicators.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")
app.add_typer(keys_app, name="keys")
app.add_typer(retention_app, name="retention")
policies_app = typer.Typer(help="Members' sharing policies.", no_args_is_help=True)
app.add_typer(policies_app, name="policies")
app.add_typer(sync_commands.app, name="sync")
trends_app = typer.Typer(help="Trend releases under disclosure control.", no_args_is_help=True)
app.add_typer(trends_app, name="trends")


def _settings() -> Settings:
    return Settings.from_env()


def _tokens(settings: Settings) -> TokenIssuer:
    if settings.environment is not Environment.PRODUCTION:
        key_store.ensure_key(settings.keys_dir)
    return TokenIssuer(
        KeyRing(settings.keys_dir),
        issuer=settings.issuer,
        audience=settings.audience,
        ttl=settings.access_token_ttl,
    )


# The two demo analysts whose views of the same demo data differ (EU and CN members).
TWO_VIEWS = ("analyst@maison-lumiere.example", "analyst@jadepeak.example")


def indicators_query(node_id: str | None) -> str:
    """A first page of indicators and, given its id, one record (null where invisible)."""
    node = (
        ""
        if node_id is None
        else f' node(id: "{node_id}") {{ ... on Indicator {{ value owner {{ label }} }} }}'
    )
    return (
        "{ indicators(first: 3) { totalCount edges { node { kind value owner { label } "
        f"corroboration {{ members }} }} }} }}{node} }}"
    )


def serve_banner(settings: Settings) -> str:
    """Where this server answers, from its own settings (what `make run` shows)."""
    base = settings.issuer
    graphql = ("GraphiQL:", "in a browser") if settings.graphiql else ("GraphQL:", "")
    lines = [
        f"Alliance ({settings.environment}) listening on {settings.host}:{settings.port}",
        f"  Start here:  {base}/",
        f"  {graphql[0]:11}  {base}/graphql  {graphql[1]}".rstrip(),
    ]
    if settings.dev_login:
        lines.append(f"  Demo login:  {base}/login/dev  (dev only: pick a user, get a token)")
    lines += [
        f"  Health:      {base}/healthz",
        f"Its tokens name the issuer {base}: mint them with `alliance token` in a shell with "
        "the same ALLIANCE_PORT (or ALLIANCE_ISSUER).",
    ]
    return "\n".join(lines)


@app.command()
def serve() -> None:
    """Serve the API on ALLIANCE_HOST:ALLIANCE_PORT."""
    settings = _settings()
    typer.echo(serve_banner(settings))
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema (creates a SQLite file if needed)."""
    settings = _settings()
    migrate.upgrade(settings.database_url)
    typer.echo("Database is at the newest schema.")


async def _seed(
    settings: Settings,
) -> tuple[demo.DemoReport, demo_intel.IntelReport, list[str]]:
    database = Database(settings.database_url)
    store = store_named(settings.attachment_store, settings.attachments_dir)
    try:
        async with database.transaction() as session:
            report = await demo.seed(session)
            intel = await demo_intel.seed_intel(session)
            articles, files = await demo_articles.seed_articles(session, store)
            experts = await demo_experts.seed_experts(session)
            await demo_trends.seed_trends(session)
        # Releases in their own short transactions, one month each.
        released = await trend_releases.publish_each(database)
        return (
            report,
            intel,
            [
                f"Demo articles: {articles} articles, {files} attachments added.",
                f"Demo expert directory: {experts} profiles added (people expert@<member domain>).",
                f"Demo trend releases built: {len(released)} (query `trends` as an analyst).",
            ],
        )
    finally:
        await database.dispose()


@app.command("demo")
def demo_command() -> None:
    """Add the demo alliance: 12 members in 4 regions, brands, users in every role, clients,
    about 3,000 indicators with mixed audiences, networks and sightings, articles of every
    kind with attachments, and an expert directory of 7 people (FULL and ANONYMOUS)."""
    settings = _settings()
    if settings.environment is Environment.PRODUCTION:
        raise typer.BadParameter("Demo data is for dev and test environments only.")
    started = time.perf_counter()
    report, intel, parts = asyncio.run(_seed(settings))
    seconds = time.perf_counter() - started
    typer.echo("Demo users (email, role, member):")
    for email, role, member in report.users:
        typer.echo(f"  {email:40} {role:15} {member}")
    typer.echo("Demo clients (member, client id, secret shown once):")
    for member, client_id, secret in report.clients:
        typer.echo(f"  {member:35} {client_id}  {secret or '(created earlier)'}")
    typer.echo(f"Demo intelligence: {intel.summary()} in {seconds:.1f} s.")
    for line in parts:
        typer.echo(line)
    regional = intel.showcase.get("demo-showcase-regional")
    query = indicators_query(None if regional is None else to_global_id("Indicator", regional))
    typer.echo(
        "\nSee the sharing at work: the same query as an EU member and as a CN member "
        "(tokens valid one hour). The counts differ, and the last record, shared with "
        "region:EU only, is null for the CN member:"
    )
    for email in TWO_VIEWS:
        token = asyncio.run(mint_token(settings, email, None, None, 3600))
        typer.echo(f"\n# {email}\n{curl_command(settings.issuer, token, query)}")
    typer.echo("\nGet a token:  .venv/bin/alliance token --user analyst@maison-lumiere.example")
    typer.echo("or, for a member system:  .venv/bin/alliance token --client <client id>")


def _refuse(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


async def _require_standing(session: AsyncSession, credential: Credential, who: str) -> None:
    standing = await principal_service.standing(session, credential)
    if standing.refusal is not None:
        _refuse(f"No token for {who}: {standing.refusal}")


async def mint_token(
    settings: Settings, user: str | None, client: str | None, scopes: list[Scope] | None, ttl: int
) -> str:
    """An access token for the user (by email) or the client (by client id), as the OAuth
    server would issue it; one line on stderr and exit 1 for a principal that may not
    authenticate (`alliance.principals`, the rule of the bearer check)."""
    tokens = _tokens(settings)
    database = Database(settings.database_url)
    try:
        async with database.session() as session:
            if user is not None:
                found = await user_service.by_email(session, user)
                if found is None:
                    _refuse(f"No user {user}.")
                person = Credential(PrincipalKind.USER, found.id, client=CLI_CLIENT_ID)
                await _require_standing(session, person, user)
                return user_token(tokens, found, requested=scopes, ttl=ttl)
            registered = await client_service.by_client_id(session, client or "")
            if registered is None:
                _refuse(f"No client {client}.")
            system = Credential(PrincipalKind.CLIENT, registered.id, client=registered.client_id)
            await _require_standing(session, system, registered.client_id)
            return client_token(tokens, registered, requested=scopes, ttl=ttl)
    finally:
        await database.dispose()


@app.command()
def token(
    user: Annotated[str | None, typer.Option(help="Email of the user.")] = None,
    client: Annotated[str | None, typer.Option(help="Client id of a member system.")] = None,
    scope: Annotated[list[Scope] | None, typer.Option(help="Narrow the scopes (repeat).")] = None,
    ttl: Annotated[int, typer.Option(min=60, max=86400, help="Lifetime in seconds.")] = 600,
    curl: Annotated[
        bool, typer.Option(help="Print a ready-to-paste curl command instead.")
    ] = False,
) -> None:
    """Mint an access token for local use (the format the OAuth server issues)."""
    if (user is None) == (client is None):
        raise typer.BadParameter("Give exactly one of --user and --client.")
    settings = _settings()
    minted = asyncio.run(mint_token(settings, user, client, scope, ttl))
    typer.echo(curl_command(settings.issuer, minted) if curl else minted)


async def _create_admin(settings: Settings, email: str) -> str:
    database = Database(settings.database_url)
    try:
        async with database.transaction() as session:
            user = await user_service.invite(
                session,
                viewer=SYSTEM_VIEWER,
                member_id=None,
                email=email,
                roles=[Role.ALLIANCE_ADMIN],
            )
            return str(user.id)
    finally:
        await database.dispose()


@admin_app.command("create")
def admin_create(
    email: Annotated[str, typer.Option(help="Email of the new alliance admin.")],
) -> None:
    """Invite an alliance admin of the secretariat."""
    user_id = asyncio.run(_create_admin(_settings(), email))
    typer.echo(f"Alliance admin {email} created ({user_id}).")


@keys_app.command("rotate")
def keys_rotate(
    publish_ahead: Annotated[
        int, typer.Option(help="Seconds the new key is published before it signs.")
    ] = 900,
    keep_after: Annotated[int, typer.Option(help="Seconds a retired key stays published.")] = 7200,
) -> None:
    """Publish the next signing key; retire keys no token can still need."""
    settings = _settings()
    kid = key_store.rotate(
        settings.keys_dir,
        publish_ahead=dt.timedelta(seconds=publish_ahead),
        keep_after=dt.timedelta(seconds=max(keep_after, settings.access_token_ttl * 2)),
    )
    typer.echo(f"New key {kid} signs from {publish_ahead} s from now.")


async def _reapply(settings: Settings) -> int | None:
    database = Database(settings.database_url)
    try:
        return await policy_reapply.finish_reapplications(
            database, batch_size=settings.reapply_batch_size
        )
    finally:
        await database.dispose()


@policies_app.command("reapply")
def policies_reapply() -> None:
    """Finish re-applying members' current policies to records still on an older one, one
    short transaction per batch (what every instance's sweep does on its own)."""
    batches = asyncio.run(_reapply(_settings()))
    if batches is None:
        typer.echo("Another instance is re-applying policies now; it will finish them.")
    else:
        typer.echo(
            f"Re-applied policies in {batches} batches." if batches else "Nothing to re-apply."
        )


async def _retention_run(settings: Settings, batch_size: int) -> retention_job.RetentionReport:
    database = Database(settings.database_url)
    try:
        return await retention_job.run(database, batch_size=batch_size)
    finally:
        await database.dispose()


@retention_app.command("run")
def retention_run(
    batch_size: Annotated[
        int, typer.Option(min=1, max=10000, help="Records per transaction.")
    ] = retention_job.BATCH_SIZE,
) -> None:
    """Mark expired indicators EXPIRED and purge personal data past the retention period
    (idempotent; schedule it daily)."""
    report = asyncio.run(_retention_run(_settings(), batch_size))
    typer.echo(
        f"Expired {report.expired}, purged {report.purged}, "
        f"{report.held} due for purge but under legal hold."
    )


async def _trends_publish(settings: Settings) -> list[str]:
    database = Database(settings.database_url)
    try:
        return await trend_releases.publish_each(database)
    finally:
        await database.dispose()


@trends_app.command("publish")
def trends_publish() -> None:
    """Freeze the next release of every month whose lag has passed and whose figures changed
    (idempotent; schedule it daily). Answers read only from releases."""
    built = asyncio.run(_trends_publish(_settings()))
    typer.echo(f"Released {', '.join(built)}." if built else "Nothing new to release.")


@app.command("export-schema")
def export_schema(
    output: Annotated[Path, typer.Option(help="Where to write the SDL.")] = Path("schema.graphql"),
) -> None:
    """Write the GraphQL SDL (committed as schema.graphql)."""
    output.write_text(build_schema().as_str() + "\n")
    typer.echo(f"Wrote {output}.")


def main() -> None:
    try:
        app()
    except ConfigurationError as error:
        # A wrong setting is the operator's to fix: one line, no traceback.
        typer.echo(f"alliance: {error}", err=True)
        raise SystemExit(2) from None
