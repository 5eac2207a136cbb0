"""``loyalo passes``: a member's wallet card from the command line, for support staff."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from loyalo.application.members import resolve
from loyalo.application.passes.service import PassService
from loyalo.application.ports import UnitOfWork
from loyalo.bootstrap.container import build
from loyalo.domain.errors import DomainError
from loyalo.domain.members.member import Member

passes_app = typer.Typer(help="Wallet passes: Apple Wallet and Google Wallet cards.")
err = Console(stderr=True)

MemberArgument = Annotated[
    str, typer.Argument(metavar="MEMBER", help="Any identifier: id:…, card:…, phone:…, email:…")
]
Made = TypeVar("Made")


def _for_member(identifier: str, make: Callable[[PassService, UnitOfWork, Member], Made]) -> Made:
    container = build(migrate=True)
    try:
        with container.ctx.uow() as uow:
            return make(container.passes, uow, resolve(uow, identifier))
    except DomainError as exc:
        err.print(f"[red]error[/] {escape(exc.detail)}", soft_wrap=True)
        raise typer.Exit(1) from exc
    finally:
        container.close()


@passes_app.command("apple")
def apple(
    member: MemberArgument,
    out: Annotated[Path, typer.Option("--out", help="Where to write the .pkpass")],
) -> None:
    """Write the member's signed Apple Wallet card to a file."""
    package = _for_member(member, PassService.apple_pass)
    out.write_bytes(package)
    err.print(f"wrote {escape(str(out))} ({len(package)} bytes)")


@passes_app.command("google")
def google(member: MemberArgument) -> None:
    """Print the member's Google Wallet class, object, JWT and save link as JSON."""
    found = _for_member(member, PassService.google_pass)
    document = {
        "loyalty_class": found.loyalty_class,
        "loyalty_object": found.loyalty_object,
        "jwt": found.jwt,
        "save_url": found.save_url,
    }
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
