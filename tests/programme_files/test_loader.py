"""Programme files: YAML or JSON in, a document out, or every error with its line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loyalo.adapters.programme_files import load_programme, parse_programme, schema
from loyalo.domain.errors import InvalidProgramme, ProgrammeError
from loyalo.domain.programme.document import ProgrammeDocument

EXAMPLE = Path(__file__).parents[2] / "programmes" / "example.yaml"

RULE = """\
rules:
  - id: weekend
    name: Weekend
    effect:
      type: multiplier
      factor: {factor}
"""

CASES: list[tuple[str, str, list[ProgrammeError]]] = [
    (
        "a value out of range, inside a tagged union",
        RULE.format(factor=0),
        [ProgrammeError("rules[0].effect.factor", "Input should be greater than 1", 6, 15)],
    ),
    (
        "a field named like its union's tag",
        "rules:\n  - id: a\n    name: A\n    effect: {type: points, points: -5}\n",
        [
            ProgrammeError(
                "rules[0].effect.points", "Input should be greater than or equal to 1", 4, 36
            )
        ],
    ),
    (
        "a missing field: at its parent",
        "rules:\n  - id: a\n    effect: {type: points, points: 5}\n",
        [ProgrammeError("rules[0].name", "Field required", 2, 5)],
    ),
    (
        "an unknown field",
        "currency: PLN\ncurency: EUR\n",
        [ProgrammeError("curency", "Extra inputs are not permitted", 2, 10)],
    ),
    (
        "a validator's message",
        "currency: XYZ\n",
        [ProgrammeError("currency", "unknown currency 'XYZ'", 1, 11)],
    ),
    (
        "a model's own check: at the section",
        "tiers:\n  levels:\n    - {id: a, name: A, threshold: 5}\n",
        [ProgrammeError("tiers", "the first tier must start at 0", 2, 3)],
    ),
    (
        "several errors at once",
        "pending_days: -1\nhold_minutes: 0\n",
        [
            ProgrammeError("pending_days", "Input should be greater than or equal to 0", 1, 15),
            ProgrammeError("hold_minutes", "Input should be greater than or equal to 1", 2, 15),
        ],
    ),
    (
        "a condition that does not compile: at the offending name",
        "rules:\n  - id: a\n    name: A\n    when: basket.total > 100 and foo\n"
        "    effect: {type: points, points: 5}\n",
        [
            ProgrammeError(
                "rules[0].when",
                "unknown name 'foo'; the names are: basket, channel, event, line, member, store, "
                "tier, time, trigger (at position 23)",
                4,
                34,
            )
        ],
    ),
    (
        "a duplicate key",
        "currency: PLN\nname: A\ncurrency: EUR\n",
        [ProgrammeError("currency", "the key 'currency' appears twice in the same mapping", 3, 1)],
    ),
    (
        "YAML syntax",
        "tiers:\n  levels:\n - id: a\n",
        [ProgrammeError("", "expected <block end>, but found '<block sequence start>'", 3, 2)],
    ),
    (
        "not a mapping",
        "- a\n- b\n",
        [ProgrammeError("", "the document must be a mapping of fields", 1, 1)],
    ),
    ("empty", "", [ProgrammeError("", "the document must be a mapping of fields", 1, 1)]),
    (
        "JSON with tabs",
        '{\n\t"rules": [\n\t\t{"id": "a", "name": "A", '
        '"effect": {"type": "points", "points": 0}}\n\t]\n}',
        [
            ProgrammeError(
                "rules[0].effect.points", "Input should be greater than or equal to 1", 3, 67
            )
        ],
    ),
    (
        "broken JSON: the JSON reader's message",
        '{\n\t"name": "A",,\n}',
        [ProgrammeError("", "Expecting property name enclosed in double quotes", 2, 14)],
    ),
    (
        "a Python tag",
        "name: !!python/object/apply:os.system [echo]\n",
        [
            ProgrammeError(
                "",
                "could not determine a constructor for the tag "
                "'tag:yaml.org,2002:python/object/apply:os.system'",
                1,
                7,
            )
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "errors"), [(text, errors) for _, text, errors in CASES], ids=[c[0] for c in CASES]
)
def test_errors_name_the_field_line_and_column(text: str, errors: list[ProgrammeError]) -> None:
    with pytest.raises(InvalidProgramme) as raised:
        parse_programme(text)
    assert raised.value.errors == errors
    assert raised.value.slug == "invalid-programme"
    assert raised.value.extensions["errors"][0]["line"] == errors[0].line


def test_a_valid_document_in_yaml_and_in_json_is_the_same() -> None:
    from_yaml = load_programme(EXAMPLE)
    as_json = json.dumps(from_yaml.model_dump(mode="json", by_alias=True), indent="\t")
    assert parse_programme(as_json) == from_yaml
    assert len(from_yaml.rules) == 3
    assert from_yaml.referrals is not None


def test_json_numbers_stay_exact() -> None:
    document = parse_programme('{"earning": {"points": 1e1, "per": 0.10}}')
    assert document.earning.points == 10
    assert str(document.earning.per) == "0.1"


def test_aliases_that_expand_too_far_are_refused() -> None:
    lines = ["a: &a [1,1,1,1,1,1,1,1,1,1]"]
    for name, previous in zip("bcdef", "abcde", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]")
    with pytest.raises(InvalidProgramme, match="too large"):
        parse_programme("\n".join(lines))


def test_a_few_aliases_are_fine() -> None:
    text = RULE.format(factor=2) + "delivery_skus: &delivery [DELIVERY]\n"
    assert parse_programme(text).delivery_skus == ["DELIVERY"]


def test_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidProgramme, match="cannot read"):
        load_programme(tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InvalidProgramme, match="not UTF-8"):
        load_programme(binary)


def test_schema_describes_the_document() -> None:
    published = schema()
    assert published["$id"] == "https://loyalo.dev/schemas/programme.schema.json"
    assert published["title"] == "Loyalo programme"
    assert published["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(published["properties"]) == set(ProgrammeDocument.model_fields) - {
        name for name, field in ProgrammeDocument.model_fields.items() if field.alias
    } | {field.alias for field in ProgrammeDocument.model_fields.values() if field.alias}
