"""Render docs/API.md from the OpenAPI document (run by `make docs-api`).

Usage: python scripts/api_reference.py docs/openapi.json docs/API.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


def schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return "-"
    if "$ref" in schema:
        return "`" + schema["$ref"].rsplit("/", 1)[-1] + "`"
    if "anyOf" in schema:
        return " or ".join(schema_name(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {schema_name(schema.get('items'))}"
    return f"`{schema.get('type', 'object')}`"


def render_operation(path: str, method: str, op: dict[str, Any]) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", "", op.get("summary", ""), ""]
    if op.get("description"):
        lines += [op["description"].strip(), ""]
    params = op.get("parameters", [])
    if params:
        lines += ["| parameter | in | type | required | description |", "|---|---|---|---|---|"]
        for p in params:
            description = (p.get("description") or p["schema"].get("description") or "").replace(
                "\n", " "
            )
            lines.append(
                f"| `{p['name']}` | {p['in']} | {schema_name(p['schema'])} | "
                f"{'yes' if p.get('required') else 'no'} | {description} |"
            )
        lines.append("")
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    if body:
        lines += [f"Request body: {schema_name(body.get('schema'))}", ""]
    lines += ["| status | body |", "|---|---|"]
    for status, response in op.get("responses", {}).items():
        content = response.get("content", {})
        media = next(iter(content), None)
        shape = schema_name(content[media].get("schema")) if media else "-"
        lines.append(f"| {status} {response.get('description', '')} | {shape} |")
    return [*lines, ""]


def render_schema(name: str, schema: dict[str, Any]) -> list[str]:
    lines = [f"### `{name}`", ""]
    if schema.get("description"):
        lines += [schema["description"].strip(), ""]
    properties = schema.get("properties", {})
    if properties:
        required = set(schema.get("required", []))
        lines += ["| field | type | required | description |", "|---|---|---|---|"]
        for field, spec in properties.items():
            description = (spec.get("description") or "").replace("\n", " ")
            lines.append(
                f"| `{field}` | {schema_name(spec)} | {'yes' if field in required else 'no'} "
                f"| {description} |"
            )
        lines.append("")
    return lines


def render(spec: dict[str, Any]) -> str:
    lines = [
        "# Loyalo API reference",
        "",
        "Generated from the OpenAPI document (`docs/openapi.json`, also served at",
        "`/openapi.json`; interactive at `/docs`). Regenerate with `make docs-api`.",
        "",
        spec["info"].get("description", "").strip(),
        "",
        "## Endpoints",
        "",
    ]
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                tag = (item[method].get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append((path, method, item[method]))
    for tag, operations in by_tag.items():
        lines += [f"## {tag.capitalize()}", ""]
        for path, method, op in operations:
            lines += render_operation(path, method, op)
    lines += ["## Schemas", ""]
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        lines += render_schema(name, schema)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    target.write_text(render(json.loads(source.read_text())))


if __name__ == "__main__":
    main()
