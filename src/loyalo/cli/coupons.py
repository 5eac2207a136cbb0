"""``loyalo coupons generate``: a batch of codes written to a CSV file, for printing."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from loyalo.application.coupons.batches import BatchRequest, BatchResult
from loyalo.bootstrap.container import Container, build
from loyalo.domain.coupons.benefits import Benefit, benefit_of
from loyalo.domain.coupons.coupon import CouponKind
from loyalo.domain.errors import DomainError

coupons_app = typer.Typer(help="Coupons and promo codes.", no_args_is_help=True)
err = Console(stderr=True)


def _benefit(
    benefit: str | None,
    percent: Decimal | None,
    amount: Decimal | None,
    maximum: Decimal | None,
    on: str,
    skus: list[str],
) -> Benefit:
    if benefit is not None:
        return benefit_of(json.loads(benefit))
    document: dict[str, Any] = {"type": "discount", "on": on, "skus": skus}
    document.update(percent=percent, amount=amount, maximum=maximum)
    return benefit_of(document)


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@coupons_app.command("generate")
def generate(
    count: Annotated[int, typer.Option(min=1, max=100_000, help="How many codes")],
    out: Annotated[Path, typer.Option(help="The CSV file to write the codes to")],
    pattern: Annotated[
        str, typer.Option(help="'#' is a random character; personal codes need 12 or more")
    ] = "####-####-####",
    kind: Annotated[
        CouponKind, typer.Option(help="personal: each code used once; shared: a promo code")
    ] = CouponKind.PERSONAL,
    name: Annotated[str, typer.Option(help="The batch's name")] = "printed codes",
    percent: Annotated[Decimal | None, typer.Option(help="A discount of this percentage")] = None,
    amount: Annotated[Decimal | None, typer.Option(help="A discount of this amount")] = None,
    maximum: Annotated[Decimal | None, typer.Option(help="The most a discount takes off")] = None,
    on: Annotated[str, typer.Option(help="basket, cheapest_line or products")] = "basket",
    sku: Annotated[
        list[str] | None, typer.Option(help="A product discounted (--on products)")
    ] = None,
    benefit: Annotated[
        str | None, typer.Option(help='Any benefit as JSON, e.g. {"type": "free_delivery"}')
    ] = None,
    valid_from: Annotated[str | None, typer.Option(help="ISO date-time; default: now")] = None,
    valid_until: Annotated[str | None, typer.Option(help="ISO date-time; default: no end")] = None,
    max_uses: Annotated[int | None, typer.Option(min=1, help="A shared code's uses")] = None,
    per_member_limit: Annotated[int | None, typer.Option(min=1, help="Uses per member")] = None,
    combinable: Annotated[
        bool, typer.Option(help="--no-combinable: the code applies only alone")
    ] = True,
) -> None:
    """Generate codes in one transaction (all or nothing) and write them to a CSV file."""
    try:
        chosen = _benefit(benefit, percent, amount, maximum, on, sku or [])
        start = _when(valid_from)
        end = _when(valid_until)
    except (ValidationError, ValueError) as exc:
        err.print(f"[red]error[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(1) from exc
    container = build(migrate=True)
    try:
        request = BatchRequest(
            name=name,
            kind=kind,
            benefit=chosen,
            valid_from=start or container.ctx.clock.now(),
            valid_until=end,
            pattern=pattern,
            count=count,
            max_uses=max_uses,
            per_member_limit=per_member_limit,
            combinable=combinable,
        )
        result = _generate(container, request)
    except DomainError as exc:
        err.print(f"[red]error[/] {escape(exc.detail)}", soft_wrap=True)
        raise typer.Exit(1) from exc
    finally:
        container.close()
    _write(out, result)
    err.print(f"{len(result.coupons)} codes of batch {result.batch.batch_id} written to {out}")


def _generate(container: Container, request: BatchRequest) -> BatchResult:
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    )
    with bar, container.ctx.uow() as uow:
        task = bar.add_task("generating codes", total=request.count)
        result = container.coupons.generate_batch(
            uow, request, lambda done, _total: bar.update(task, completed=done)
        )
        uow.commit()
    return result


def _write(path: Path, result: BatchResult) -> None:
    batch = result.batch
    until = batch.valid_until.isoformat() if batch.valid_until else ""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["code", "valid_from", "valid_until", "batch_id"])
        for coupon in result.coupons:
            writer.writerow([coupon.code, batch.valid_from.isoformat(), until, batch.batch_id])
