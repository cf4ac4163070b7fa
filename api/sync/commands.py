"""The `alliance sync` commands: `push FILE` and `pull`, with a progress bar each."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from api.sync import pull as pulling
from api.sync import push as pushing
from api.sync.connection import Connection, Service, SyncError

app = typer.Typer(
    help="A member system's sync with the service, over HTTP (docs/sync.md).",
    no_args_is_help=True,
)

Url = Annotated[
    str, typer.Option("--url", envvar="ALLIANCE_SYNC_URL", help="The service's base URL.")
]
ClientId = Annotated[
    str,
    typer.Option("--client-id", envvar="ALLIANCE_SYNC_CLIENT_ID", help="Your system's client id."),
]
ClientSecret = Annotated[
    str,
    typer.Option(
        "--client-secret",
        envvar="ALLIANCE_SYNC_CLIENT_SECRET",
        help="Its secret (better in the environment than on the command line).",
    ),
]
REJECTED_EXIT = 3


class Rate(ProgressColumn):
    """Records per second, once there is a rate to show."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")


def _progress() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(),
        TimeRemainingColumn(),
    )


def _fail(error: SyncError) -> typer.Exit:
    typer.echo(f"alliance sync: {error}", err=True)
    return typer.Exit(1)


@app.command("push")
def push_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or NDJSON.")],
    url: Url,
    client_id: ClientId,
    client_secret: ClientSecret,
    report: Annotated[
        Path | None,
        typer.Option(help="Where the rejected rows go (default: FILE.errors.csv)."),
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=pushing.BATCH)] = pushing.BATCH,
) -> None:
    """Upsert the indicators of FILE in batches; rejected rows go to the error report."""
    errors_path = report or file.with_name(file.name + ".errors.csv")
    service = Service(url, client_id, client_secret)
    try:
        with (
            Connection(service, scope="sync") as connection,
            file.open(newline="", encoding="utf-8") as source,
            errors_path.open("w", newline="", encoding="utf-8") as target,
            _progress() as progress,
        ):
            rejected = pushing.Report(target)
            task = progress.add_task("push", total=pushing.count_rows(file))
            for rows in pushing.batches(pushing.rows_of(file, source), rejected, batch):
                pushing.send(connection, rows, rejected)
                progress.update(task, completed=sum(rejected.statuses.values()))
            progress.update(task, completed=sum(rejected.statuses.values()))
    except SyncError as error:
        raise _fail(error) from None
    counts = rejected.statuses
    typer.echo(
        ", ".join(f"{counts[s]:,} {s.lower()}" for s in ("CREATED", "UPDATED", "UNCHANGED"))
        + f", {counts['REJECTED']:,} rejected"
    )
    if counts["REJECTED"]:
        typer.echo(f"Rejected rows: {errors_path}", err=True)
        raise typer.Exit(REJECTED_EXIT)


@app.command("pull")
def pull_command(
    url: Url,
    client_id: ClientId,
    client_secret: ClientSecret,
    replica: Annotated[
        Path, typer.Option(help="The local SQLite copy (made on the first pull).")
    ] = Path("alliance-replica.sqlite"),
    first: Annotated[int, typer.Option(min=1, max=10_000, help="Events per page.")] = (
        pulling.FIRST
    ),
    follow: Annotated[
        bool, typer.Option(help="Keep pulling, every --interval seconds, until stopped.")
    ] = False,
    interval: Annotated[float, typer.Option(min=0.1)] = 10.0,
) -> None:
    """Mirror the change feed into REPLICA: exactly the indicators you may list now."""
    service = Service(url, client_id, client_secret)
    copy = pulling.Replica(replica)
    try:
        with Connection(service, scope="indicators:read") as connection, _progress() as progress:
            total = pulling.visible_total(connection) if copy.cursor is None else None
            task = progress.add_task("pull", total=total)

            def applied(count: int) -> None:
                progress.advance(task, count)

            while True:
                last = pulling.pull(connection, copy, first=first, progress=applied)
                if not follow:
                    break
                time.sleep(1.0 if last["pending"] else interval)
    except SyncError as error:
        raise _fail(error) from None
    except KeyboardInterrupt:
        pass
    finally:
        held, counted = copy.count(), copy.applied
        copy.close()
    done = ", ".join(f"{count:,} {what}" for what, count in sorted(counted.items()))
    typer.echo(f"{held:,} indicators in {replica} ({done or 'nothing new'})")
