"""``loyalo programme``: validate, apply, list, show and compare programme versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.table import Table

from loyalo.adapters.programme_files import load_programme, schema
from loyalo.bootstrap.container import Container, build
from loyalo.domain.errors import InvalidProgramme
from loyalo.domain.programme.diff import diff_documents, render
from loyalo.domain.programme.document import ProgrammeDocument

programme_app = typer.Typer(
    help="The programme document: rules, tiers, expiry.", no_args_is_help=True
)
out = Console()
err = Console(stderr=True)

FileArg = Annotated[Path, typer.Argument(help="A programme document, YAML or JSON")]


def _load(path: Path) -> ProgrammeDocument:
    try:
        return load_programme(path)
    except InvalidProgramme as exc:
        # One line per error, compiler style, so editors and grep can jump to it.
        err.print(f"[red]invalid[/] {path}: {exc.detail}")
        for error in exc.errors:
            where = f"{path}:{error.line}:{error.column}" if error.line else str(path)
            typer.echo(f"{where}: {error.path or '(document)'}: {error.message}", err=True)
        raise typer.Exit(1) from exc


def _summary(document: ProgrammeDocument) -> str:
    tiers = ", ".join(t.name for t in document.tiers.levels) if document.tiers else "no tiers"
    return (
        f"{document.name}: {len(document.rules)} rules, {tiers}, "
        f"expiry {document.expiry.policy}, pending {document.pending_days} days"
    )


@programme_app.command("validate")
def validate(path: FileArg) -> None:
    """Check a document; errors name the field, the line and the column."""
    out.print(f"[green]valid[/] {_summary(_load(path))}")


@programme_app.command("apply")
def apply(
    path: FileArg,
    note: Annotated[str | None, typer.Option(help="Why this version")] = None,
    actor: Annotated[str, typer.Option(help="Who applies it")] = "cli",
) -> None:
    """Apply a document as a new version (identical to the latest: nothing changes)."""
    document = _load(path)
    container = build(migrate=True)
    with container.ctx.uow() as uow:
        stored, changed = container.programmes.apply(
            uow, document, source=path.read_text(encoding="utf-8"), actor=actor, note=note
        )
        uow.commit()
    if changed:
        out.print(f"applied version {stored.version}: {_summary(document)}")
    else:
        out.print(f"unchanged, still version {stored.version}")


@programme_app.command("versions")
def versions() -> None:
    """Every version, newest first."""
    container = build(migrate=True)
    table = Table("version", "applied", "by", "rules", "note")
    with container.ctx.uow() as uow:
        for stored in container.programmes.versions(uow):
            applied = stored.created_at.strftime("%Y-%m-%d %H:%M")
            rules = str(len(stored.document.rules))
            table.add_row(str(stored.version), applied, stored.created_by, rules, stored.note or "")
    out.print(table)


@programme_app.command("show")
def show(
    version: Annotated[int | None, typer.Argument(help="Default: the version in force")] = None,
    format: Annotated[str, typer.Option(help="yaml or json")] = "yaml",
) -> None:
    """Print a version's document."""
    container = build(migrate=True)
    with container.ctx.uow() as uow:
        number = version if version is not None else container.programmes.active(uow).version
        document = container.programmes.document(uow, number)
    data = document.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    text = json.dumps(data, indent=2) if format == "json" else yaml.safe_dump(data, sort_keys=False)
    typer.echo(text)


@programme_app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="A version number or a file")],
    new: Annotated[str, typer.Argument(help="A version number or a file")],
) -> None:
    """What changed between two versions or files, rule by rule."""
    container: Container | None = None

    def resolve(ref: str) -> ProgrammeDocument:
        nonlocal container
        if not ref.isdigit():
            return _load(Path(ref))
        container = container or build(migrate=True)
        with container.ctx.uow() as uow:
            return container.programmes.document(uow, int(ref))

    for line in render(diff_documents(resolve(old), resolve(new))):
        typer.echo(line)


@programme_app.command("schema")
def print_schema() -> None:
    """The JSON Schema of the programme document."""
    typer.echo(json.dumps(schema(), indent=2))
