"""Scheme files: the documented example imports; errors name their path and save nothing;
export reads back to the same scheme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ipps.assessment import schemefile, services
from ipps.assessment.models import Scheme
from ipps.core.errors import PermissionDeniedError

DOCS = Path(__file__).resolve().parents[2] / "docs/assessment.md"


def test_the_example_imports_as_a_draft_version_and_round_trips(network, example_yaml):
    scheme = services.scheme_import(source=example_yaml, acting_user=network.city_officer)
    assert (scheme.year, scheme.unit_kind, scheme.version, scheme.status) == (
        2025, "workstation", 1, "draft",
    )  # fmt: skip
    assert scheme.max_points == 100
    assert [i["code"] for i in scheme.indicators()][:3] == ["A1", "A2", "A3"]
    assert schemefile.parse(schemefile.dump(scheme.definition)) == scheme.definition
    again = services.scheme_import(source=example_yaml, acting_user=network.city_officer)
    assert again.version == 2


def test_the_docs_show_the_example_file(example_yaml):
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    assert any(yaml.safe_load(b) == yaml.safe_load(example_yaml) for b in blocks)


def test_only_the_city_imports(network, example_yaml):
    with pytest.raises(PermissionDeniedError):
        services.scheme_import(source=example_yaml, acting_user=network.haidian_officer)


def broken(example_yaml: bytes, old: str, new: str) -> bytes:
    text = example_yaml.decode()
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("old", "new", "code", "field"),
    [
        (
            "- {at_least: 0.9, share: 0.6}",
            "- {at_least: 0.9, share: 1.6}",
            None,
            "areas[0].indicators[0].rule.tiers[1].share",
        ),
        ("kind: visit}", "kind: visits}", "invalid_scheme", "areas[0].indicators[1].value.kind"),
        ("code: A2", "code: A1", "invalid_scheme", "areas[0].indicators[1].code"),
        (
            "visits_and_cases: A2 + A4",
            "visits_and_cases: A2 + A44",
            "formula_unknown_name",
            "formulas.visits_and_cases",
        ),
        ("visits_and_cases: A2 + A4", "visits_and_cases: D1 + A4", "formula_cycle", None),
        ("year: 2025", "year: twenty", "invalid_scheme", "year"),
        ("points: 15", "points: -15", "invalid_scheme", "areas[0].indicators[0].points"),
        ("grades:", "gardes:", "invalid_scheme", "gardes"),
        (
            "    name: 服务开展\n",
            "    name: 服务开展\n    weight: 3\n",
            "invalid_scheme",
            "areas[0].weight",
        ),
    ],
)
def test_errors_name_their_path_and_save_nothing(network, example_yaml, old, new, code, field):
    from ipps.core.errors import ServiceError

    with pytest.raises(ServiceError) as exc:
        services.scheme_import(
            source=broken(example_yaml, old, new), acting_user=network.city_officer
        )
    if code:
        assert exc.value.code == code
    if field:
        assert exc.value.field == field, exc.value.message
    assert exc.value.status == 422
    assert not Scheme.objects.exists()


def test_formula_errors_give_the_position(network, example_yaml):
    from ipps.core.errors import ServiceError

    bad = broken(example_yaml, "visits_and_cases: A2 + A4", "visits_and_cases: A2 + + * A4")
    with pytest.raises(ServiceError) as exc:
        services.scheme_import(source=bad, acting_user=network.city_officer)
    assert exc.value.code == "formula_syntax_error"
    assert "position 5" in exc.value.message  # the second "+"


def test_not_yaml_and_not_utf8(network):
    from ipps.core.errors import ServiceError

    with pytest.raises(ServiceError) as exc:
        services.scheme_import(source=b"areas: [unclosed", acting_user=network.city_officer)
    assert exc.value.code == "bad_yaml" and "line 1" in exc.value.message
    with pytest.raises(ServiceError) as exc:
        services.scheme_import(source="名称".encode("gb18030"), acting_user=network.city_officer)
    assert exc.value.code == "bad_encoding"
