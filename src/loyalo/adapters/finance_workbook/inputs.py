"""The financial model's inputs from a YAML (or JSON) file: the field names, plain numbers."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from loyalo.domain.errors import InvalidInput
from loyalo.domain.finance.model import FinancialInputs


def parse_inputs(text: str, base: FinancialInputs | None = None) -> FinancialInputs:
    """Fields not named keep ``base``'s value (the defaults); an unknown name is refused."""
    document = yaml.safe_load(text) or {}
    if not isinstance(document, dict):
        raise InvalidInput("the inputs file must be a mapping of names to numbers")
    known = FinancialInputs.field_names()
    values: dict[str, Any] = {}
    for name, raw in document.items():
        if name not in known:
            raise InvalidInput(f"unknown input {name!r}; known: {', '.join(known)}", field=name)
        values[name] = _number(name, raw)
    current = base or FinancialInputs()
    merged = {name: getattr(current, name) for name in known} | values
    return FinancialInputs(**merged)


def _number(name: str, raw: object) -> Decimal | int:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise InvalidInput(f"{name} must be a number", field=name)
    if name == "months":
        if not isinstance(raw, int):
            raise InvalidInput("months must be a whole number", field=name)
        return raw
    try:
        return Decimal(str(raw))
    except InvalidOperation as exc:
        raise InvalidInput(f"{name} must be a number", field=name) from exc
