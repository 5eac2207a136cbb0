"""``loyalo``: serve the API, migrate, manage keys, verify the ledger, run jobs, demo."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from loyalo.adapters.storage.migrate import current_revision, upgrade
from loyalo.application.audit import verify_ledger
from loyalo.application.jobs import run_due
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.demo_engagement import CHALLENGE, EngagementSummary
from loyalo.bootstrap.web import build_app
from loyalo.cli.analytics import analytics_app
from loyalo.cli.coupons import coupons_app
from loyalo.cli.finance import finance_app
from loyalo.cli.giftcards import giftcards_app
from loyalo.cli.history import import_app
from loyalo.cli.partners import partners_app
from loyalo.cli.passes import passes_app
from loyalo.cli.programme import programme_app
from loyalo.cli.report import report
from loyalo.domain.access.roles import Principal, Role
from loyalo.domain.errors import DomainError

app = typer.Typer(help="Loyalo: an omnichannel customer-loyalty engine.", no_args_is_help=True)
db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
key_app = typer.Typer(help="API keys.", no_args_is_help=True)
ledger_app = typer.Typer(help="The points ledger.", no_args_is_help=True)
jobs_app = typer.Typer(help="Time-based jobs (for cron).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(key_app, name="apikey")
app.add_typer(ledger_app, name="ledger")
app.add_typer(jobs_app, name="jobs")
app.add_typer(programme_app, name="programme")
app.add_typer(import_app, name="import")
app.add_typer(analytics_app, name="analytics")
app.add_typer(passes_app, name="passes")
app.add_typer(giftcards_app, name="giftcards")
app.add_typer(partners_app, name="partners")
app.add_typer(coupons_app, name="coupons")
app.add_typer(finance_app, name="finance")
app.command("report")(report)

err = Console(stderr=True)
out = Console()


def _container(migrate: bool = True) -> Container:
    return build(migrate=migrate)


def _progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Serve the REST API (and the job scheduler)."""
    container = _container()
    if workers > 1:
        container.close()
        uvicorn.run(
            "loyalo.bootstrap.web:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
        return
    uvicorn.run(build_app(container), host=host, port=port, log_level="info")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    container = _container(migrate=False)
    upgrade(container.engine)
    err.print(f"database at revision [bold]{current_revision(container.engine)}[/]")


@key_app.command("create")
def apikey_create(
    role: Annotated[Role, typer.Option(help="admin, pos or app")],
    name: Annotated[str, typer.Option(help="Who uses it, e.g. 'Till 1'")],
) -> None:
    """Create an API key and print it (only the key) on stdout."""
    if role is Role.PARTNER:
        err.print("a partner key is made for its partner: loyalo partners key --partner ID")
        raise typer.Exit(2)
    issued = _container().access.create_key(name, role)
    sys.stdout.write(issued.token + "\n")


@key_app.command("list")
def apikey_list() -> None:
    """Every API key: id, name, role, partner, created, revoked (never the secret)."""
    table = Table("key id", "name", "role", "partner", "created", "revoked")
    for record in _container().access.api_keys():
        revoked = record.revoked_at.isoformat(timespec="seconds") if record.revoked_at else ""
        table.add_row(
            record.key_id,
            record.name,
            record.role.value,
            record.partner_id or "",
            record.created_at.isoformat(timespec="seconds"),
            revoked,
        )
    out.print(table)


@key_app.command("revoke")
def apikey_revoke(key_id: Annotated[str, typer.Argument(help="The key id (lyk_<id>_…)")]) -> None:
    """Revoke an API key: refused from then on (by running servers within 30 seconds)."""
    container = _container()
    operator = Principal("cli", "operator at the command line", Role.ADMIN)
    try:
        record = container.access.revoke_key(operator, key_id)
    except DomainError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from exc
    assert record.revoked_at is not None
    err.print(f"revoked {record.key_id} ({record.name}) at {record.revoked_at.isoformat()}")


@ledger_app.command("verify")
def ledger_verify(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Recompute every hash chain and accounting identity; name the first broken entry."""
    container = _container()
    with _progress() as progress:
        task = progress.add_task("verifying members", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = verify_ledger(container.ctx, advance)
    if as_json:
        findings = [
            {"member_id": f.member_id, "entry_id": f.entry_id, "seq": f.seq, "problem": f.problem}
            for f in report.findings
        ]
        document = {"members_checked": report.members_checked, "findings": findings}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    elif report.ok:
        out.print(f"[green]ledger OK[/]: {report.members_checked} members verified")
    else:
        table = Table("member", "entry", "seq", "problem", title="Ledger problems")
        for f in report.findings:
            table.add_row(f.member_id, f.entry_id or "-", str(f.seq or "-"), f.problem)
        out.print(table)
    raise typer.Exit(0 if report.ok else 1)


@jobs_app.command("run")
def jobs_run() -> None:
    """Holds that timed out, matured pending points, expiry, tier reviews, birthdays,
    paid memberships that lapsed.

    Idempotent: safe from cron and the scheduler at once."""
    report = run_due(_container().ctx)
    out.print(
        f"members settled: {report.members_settled}, entries written: {report.entries_written}, "
        f"tier changes: {report.tier_changes}, birthday bonuses: {report.birthdays}, "
        f"memberships lapsed: {report.memberships_lapsed}"
    )


@app.command()
def demo(
    members: Annotated[int, typer.Option(help="Synthetic members to create")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed (deterministic data)")] = 20261122,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve afterwards")
    ] = True,
    port: Annotated[int, typer.Option(envvar="PORT")] = 8000,
) -> None:
    """Create the embedded database, load the demo programme and members, and serve."""
    from loyalo.bootstrap.demo import seed_demo

    container = _container()
    with _progress() as progress:
        task = progress.add_task("demo data", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = seed_demo(container, members=members, seed=seed, progress=advance)
    admin = container.access.create_key("demo admin", Role.ADMIN).token
    pos = container.access.create_key("demo till", Role.POS).token
    url = f"http://127.0.0.1:{port}"
    out.print(f"\n[bold]Loyalo demo[/] — {summary.members} members, {summary.purchases} purchases")
    out.print(f"  API docs   {url}/docs")
    out.print(f"  admin key  {admin}")
    out.print(f"  pos key    {pos}")
    out.print(f"  database   {container.settings.resolved_database_url}")
    out.print(
        f"  try        curl -H 'Authorization: Bearer {pos}' {url}/v1/members/ext:shop-000001\n"
    )
    if summary.engagement is not None:
        _print_engagement(summary.engagement, url)
    if serve_after:
        os.environ.setdefault("PORT", str(port))
        uvicorn.run(build_app(container), host="127.0.0.1", port=port, log_level="info")


def _print_engagement(engaged: EngagementSummary, url: str) -> None:
    if engaged.rewards_in_catalogue:
        redeemed = ", ".join(f"{reward} {count}" for reward, count in engaged.redeemed.items())
        out.print(
            f"[bold]Catalogue[/]   {engaged.rewards_in_catalogue} rewards; redeemed: {redeemed}"
        )
        out.print(f"              {url}/v1/rewards")
    out.print(
        f"[bold]Referrals[/]   {engaged.referred} members joined with a friend's code, "
        f"{engaged.referrals_qualified} first purchases rewarded both"
    )
    if engaged.running_challenges:
        out.print(f"[bold]Challenges[/]  running: {', '.join(engaged.running_challenges)}")
    for title, board in (
        ("points last month", engaged.month_board),
        (f"{CHALLENGE} last month", engaged.challenge_board),
        (f"{CHALLENGE} this month so far", engaged.challenge_board_now),
    ):
        if not board:  # nobody on it: no empty table
            continue
        heading = f"Leaderboard — {title}"
        # as wide as its title at least: a title wider than the table would wrap
        table = Table(title=heading, title_justify="left", min_width=max(44, len(heading)))
        for column in ("#", "member", "score"):
            table.add_column(column)
        for line in board:
            table.add_row(str(line.position), line.name, str(line.value))
        out.print(table)
    out.print(
        f"[bold]Partner[/]     {engaged.partner}: {engaged.partner_purchases} ticket sales, "
        f"{engaged.partner_redemptions} paid with points; in the last 30 days it issued "
        f"{engaged.settlement_issued} points, took {engaged.settlement_redeemed}, "
        f"net owed to the programme {engaged.settlement_net}"
    )
    out.print(f"  partner key {engaged.partner_key}\n")


@app.command()
def openapi(
    output: Annotated[Path | None, typer.Option("--out", help="File to write")] = None,
) -> None:
    """Print (or write) the OpenAPI 3.1 document."""
    from loyalo.adapters.http.app import create_app
    from loyalo.bootstrap.web import http_services

    document = create_app(http_services(_container(migrate=False))).openapi()
    text = json.dumps(document, indent=2, sort_keys=False) + "\n"
    if output:
        output.write_text(text)
        err.print(f"wrote {output}")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":  # pragma: no cover
    app()
