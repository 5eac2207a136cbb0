"""``loyalo programme``: validate, apply, list, show and compare programme versions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from loyalo.adapters.programme_files import parse_programme, read_source, schema
from loyalo.application.simulation.service import BacktestRequest
from loyalo.bootstrap.container import Container, build
from loyalo.cli import backtest_report
from loyalo.domain.errors import DomainError, InvalidProgramme
from loyalo.domain.programme.diff import diff_documents, render
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.simulation.comparison import DEFAULT_REDEMPTION_RATE

programme_app = typer.Typer(
    help="The programme document: rules, tiers, expiry.", no_args_is_help=True
)

FileArg = Annotated[Path, typer.Argument(help="A programme document, YAML or JSON")]


class Format(StrEnum):
    YAML = "yaml"
    JSON = "json"


def _out() -> Console:
    return Console(highlight=False)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


@contextmanager
def _container() -> Iterator[Container]:
    container = build(migrate=True)
    try:
        yield container
    except DomainError as exc:  # an unknown version, a conflict: a message, not a traceback
        _err().print(f"[red]error[/] {escape(exc.detail)}", soft_wrap=True)
        raise typer.Exit(1) from exc
    finally:
        container.close()


def _load(path: Path) -> tuple[str, ProgrammeDocument]:
    try:
        text = read_source(path)
        return text, parse_programme(text)
    except InvalidProgramme as exc:
        _report(path, exc)
        raise typer.Exit(1) from exc


def _report(path: Path, exc: InvalidProgramme) -> None:
    console = _err()
    console.print(f"[red]invalid[/] {escape(f'{path}: {exc.detail}')}", soft_wrap=True)
    if not exc.errors:
        return
    table = Table("where", "field", "message")
    table.columns[0].overflow = "fold"
    for error in exc.errors:
        where = f"{path}:{error.line}:{error.column}" if error.line is not None else str(path)
        table.add_row(escape(where), escape(error.path or "(document)"), escape(error.message))
    console.print(table)


def _summary(document: ProgrammeDocument) -> str:
    tiers = (
        f"tiers {', '.join(t.name for t in document.tiers.levels)}"
        if document.tiers
        else "no tiers"
    )
    return (
        f"{document.name}: {len(document.rules)} rules, {tiers}, "
        f"expiry {document.expiry.policy}, pending {document.pending_days} days"
    )


@programme_app.command("validate")
def validate(path: FileArg) -> None:
    """Check a document; errors name the field, the line and the column."""
    _, document = _load(path)
    _out().print(f"[green]valid[/] {escape(_summary(document))}", soft_wrap=True)


@programme_app.command("apply")
def apply(
    path: FileArg,
    note: Annotated[str | None, typer.Option(help="Why this version")] = None,
    actor: Annotated[str, typer.Option(help="Who applies it")] = "cli",
) -> None:
    """Apply a document as a new version (identical to the latest: nothing changes)."""
    text, document = _load(path)
    with _container() as container, container.ctx.uow() as uow:
        stored, changed = container.programmes.apply(
            uow, document, source=text, actor=actor, note=note
        )
        uow.commit()
    if changed:
        _out().print(
            f"applied version {stored.version}: {escape(_summary(document))}", soft_wrap=True
        )
    else:
        _out().print(f"unchanged, still version {stored.version}", soft_wrap=True)


@programme_app.command("versions")
def versions() -> None:
    """Every version, newest first."""
    with _container() as container, container.ctx.uow() as uow:
        stored_versions = container.programmes.versions(uow)
    if not stored_versions:
        _out().print(
            "no version applied yet: version 0, the defaults from the settings, is in force"
        )
        return
    table = Table("version", "applied", "by", "rules", "checksum", "note")
    for stored in stored_versions:
        table.add_row(
            str(stored.version),
            stored.created_at.strftime("%Y-%m-%d %H:%M:%S %Z"),
            escape(stored.created_by),
            str(len(stored.document.rules)),
            stored.checksum[:12],
            escape(stored.note or ""),
        )
    _out().print(table)


@programme_app.command("show")
def show(
    version: Annotated[int | None, typer.Argument(help="Default: the version in force")] = None,
    format: Annotated[Format, typer.Option(help="yaml or json")] = Format.YAML,
) -> None:
    """Print a version's document (fields left at their defaults are omitted)."""
    with _container() as container, container.ctx.uow() as uow:
        number = version if version is not None else container.programmes.active(uow).version
        document = container.programmes.document(uow, number)
    typer.echo(_dump(document, format))


def _dump(document: ProgrammeDocument, format: Format) -> str:
    data = _without_defaults(document, "json")
    if format is Format.JSON:
        return json.dumps(data, indent=2, ensure_ascii=False)
    exact = _without_defaults(document, "python")
    text = yaml.dump(
        _numbers_unquoted(data, exact), Dumper=_Dumper, sort_keys=False, allow_unicode=True
    )
    return text.rstrip("\n")


_DISCRIMINATORS = ("type", "policy")  # an effect's type, an expiry's policy


def _without_defaults(document: ProgrammeDocument, mode: str) -> Any:
    """Defaults left out, discriminators kept: the output applies again as it is."""
    full = document.model_dump(mode=mode, by_alias=True)
    return _keep_discriminators(
        document.model_dump(mode=mode, by_alias=True, exclude_defaults=True), full
    )


def _keep_discriminators(data: Any, full: Any) -> Any:
    if isinstance(data, dict):
        kept = {key: full[key] for key in _DISCRIMINATORS if key in full and key not in data}
        rest = {key: _keep_discriminators(value, full[key]) for key, value in data.items()}
        return {**kept, **rest}
    if isinstance(data, list):
        return [_keep_discriminators(item, whole) for item, whole in zip(data, full, strict=True)]
    return data


class _Number(str):
    """A decimal written as it reads: ``per: 1.00``, not ``per: '1.00'``."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):
    pass


def _represent_number(dumper: yaml.SafeDumper, value: _Number) -> yaml.ScalarNode:
    kind = "int" if value.removeprefix("-").isdigit() else "float"
    return dumper.represent_scalar(f"tag:yaml.org,2002:{kind}", str(value))


_Dumper.add_representer(_Number, _represent_number)


def _numbers_unquoted(data: Any, exact: Any) -> Any:
    """JSON turns decimals into strings; where the model holds a Decimal, write a number."""
    if isinstance(exact, Decimal):
        return _Number(data)
    if isinstance(data, dict):
        return {key: _numbers_unquoted(value, exact[key]) for key, value in data.items()}
    if isinstance(data, list):
        return [
            _numbers_unquoted(item, original) for item, original in zip(data, exact, strict=True)
        ]
    return data


@programme_app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="A version number or a file")],
    new: Annotated[str, typer.Argument(help="A version number or a file")],
) -> None:
    """What changed between two versions or files, rule by rule."""
    versions = [int(ref) for ref in (old, new) if ref.isdigit()]
    documents: dict[int, ProgrammeDocument] = {}
    if versions:
        with _container() as container, container.ctx.uow() as uow:
            documents = {v: container.programmes.document(uow, v) for v in versions}

    def resolve(ref: str) -> ProgrammeDocument:
        return documents[int(ref)] if ref.isdigit() else _load(Path(ref))[1]

    for line in render(diff_documents(resolve(old), resolve(new))):
        typer.echo(line)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD") from exc


def _share(value: str) -> Decimal:
    try:
        share = Decimal(value)
    except InvalidOperation as exc:
        raise typer.BadParameter(f"{value!r} is not a number") from exc
    if not Decimal(0) <= share <= Decimal(1):
        raise typer.BadParameter(f"{value} is not a share between 0 and 1 (0.7 means 70%)")
    return share


@programme_app.command("simulate")
def simulate(
    path: FileArg,
    start: Annotated[
        date,
        typer.Option(
            "--from",
            parser=_day,
            metavar="YYYY-MM-DD",
            help="The first day of the period, in the live programme's time zone",
        ),
    ],
    end: Annotated[
        date,
        typer.Option(
            "--to", parser=_day, metavar="YYYY-MM-DD", help="The last day of the period, included"
        ),
    ],
    against: Annotated[
        int | None,
        typer.Option(help="The live version to compare with. Default: the version in force"),
    ] = None,
    redemption_rate: Annotated[
        Decimal,
        typer.Option(
            parser=_share,
            metavar="SHARE",
            help="The share of the points issued that members are expected to redeem, "
            "between 0 and 1: the expected cost is their value times this share",
        ),
    ] = DEFAULT_REDEMPTION_RATE,
    top: Annotated[int, typer.Option(min=0, help="How many rules to list by cost")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=2,
            help="1, or 2 to replay the candidate in a second process. "
            "Default: 2 for a long history when a core is free",
        ),
    ] = None,
) -> None:
    """Replay the stored purchases, returns and events under a candidate programme, next
    to the live one, and compare what each gives and costs. Nothing is written."""
    _, document = _load(path)
    request = BacktestRequest(document, start, end, against, redemption_rate, top, processes)
    with _container() as container, _replay_progress() as progress:
        task = progress.add_task("replaying the history", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        comparison = container.backtest.run(request, advance)
    if as_json:
        typer.echo(json.dumps(backtest_report.as_json(comparison), indent=2, ensure_ascii=False))
    else:
        backtest_report.render(comparison, _out(), top)


def _replay_progress() -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_err(),
    )


@programme_app.command("schema")
def print_schema() -> None:
    """The JSON Schema of the programme document."""
    typer.echo(json.dumps(schema(), indent=2))
