"""The assessment scheme file (YAML, format 1): parse, validate, normalise and write back.

docs/assessment.md documents the format with a complete example. Validation refuses anything
ambiguous before it is saved, naming the path of the problem (`areas[0].indicators[2].rule`)
and, for formulas, the position in the formula text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.utils.translation import gettext as _

from ipps.assessment import formula as formulas_lang
from ipps.assessment.rules import RuleError, fmt, validate_rule
from ipps.core.choices import ChainStage, Channel, IPType
from ipps.core.errors import ServiceError
from ipps.ledger.choices import RecordKind
from ipps.ledger.stats import OWN_FIGURES
from ipps.network.choices import UnitKind

FORMAT = 1
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
SOURCES = ("ledger", "figure", "share", "reports", "formula", "manual")
SHARES = ("answered_in_time_share", "resolved_in_time_share", "satisfaction")
REPORT_MEASURES = ("submitted", "on_time", "accepted")
LEDGER_FILTERS = ("ip_type", "chain_stage", "channel")
# Names a formula can read besides indicator codes and named formulas.
UNIT_ATTRIBUTES = {"unit.kind": "string", "unit.code": "string", "unit.district": "string"}
MAX_BYTES = 512 * 1024
# Rules that compare the value with a target.
TARGETED_RULES = ("tiered", "linear", "bonus")
MAX_INDICATORS = 200


class SchemeError(ServiceError):
    status = 422

    def __init__(self, message: str, field: str | None = None, code: str = "invalid_scheme"):
        super().__init__(code, message, field=field)


def _number(raw: Any, path: str, *, positive: bool = False) -> Decimal:
    if isinstance(raw, bool):
        raise SchemeError(_("%(path)s must be a number.") % {"path": path}, path)
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise SchemeError(_("%(path)s must be a number.") % {"path": path}, path) from None
    if not value.is_finite() or value < 0 or (positive and value == 0):
        raise SchemeError(
            _("%(path)s must be a number above 0.") % {"path": path}
            if positive
            else _("%(path)s must not be negative.") % {"path": path},
            path,
        )
    return value


def _text(raw: Any, path: str, *, required: bool = True, limit: int = 200) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str | int) or isinstance(raw, bool) or not str(raw).strip():
        raise SchemeError(_("%(path)s must be a non-empty text.") % {"path": path}, path)
    text = str(raw).strip()
    if len(text) > limit:
        raise SchemeError(
            _("%(path)s is longer than %(limit)d characters.") % {"path": path, "limit": limit},
            path,
        )
    return text


def _mapping(raw: Any, path: str) -> Mapping:
    if not isinstance(raw, Mapping):
        raise SchemeError(_("%(path)s must be a mapping (key: value).") % {"path": path}, path)
    return raw


def _list(raw: Any, path: str) -> list:
    if not isinstance(raw, list) or not raw:
        raise SchemeError(_("%(path)s must be a non-empty list.") % {"path": path}, path)
    return raw


def _unknown_keys(data: Mapping, allowed: set[str], path: str) -> None:
    extra = sorted(set(map(str, data)) - allowed)
    if extra:
        where = f"{path}.{extra[0]}" if path else extra[0]
        raise SchemeError(
            _("Unknown key %(key)s; expected one of: %(allowed)s.")
            % {"key": where, "allowed": ", ".join(sorted(allowed))},
            where,
        )


def _code(raw: Any, path: str, seen: set[str]) -> str:
    code = str(raw or "")
    if not CODE.match(code):
        raise SchemeError(
            _(
                "%(path)s must be a code of letters, digits and underscores starting with a "
                "letter (at most 32)."
            )
            % {"path": path},
            path,
        )
    if code in seen:
        raise SchemeError(_("The code %(code)s is used twice.") % {"code": code}, path)
    seen.add(code)
    return code


def _value_spec(raw: Any, path: str) -> dict:
    spec = dict(_mapping(raw, path))
    source = spec.get("source")
    if source not in SOURCES:
        raise SchemeError(
            _("%(path)s.source must be one of: %(allowed)s.")
            % {"path": path, "allowed": ", ".join(SOURCES)},
            f"{path}.source",
        )
    allowed = {"source"}
    if source == "ledger":
        allowed |= {"kind", *LEDGER_FILTERS}
        if spec.get("kind") not in RecordKind.values:
            raise SchemeError(
                _("%(path)s.kind must be one of: %(allowed)s.")
                % {"path": path, "allowed": ", ".join(RecordKind.values)},
                f"{path}.kind",
            )
        for key, choices in (
            ("ip_type", IPType),
            ("chain_stage", ChainStage),
            ("channel", Channel),
        ):
            if key in spec and spec[key] not in choices.values:
                raise SchemeError(
                    _("%(path)s must be one of: %(allowed)s.")
                    % {"path": f"{path}.{key}", "allowed": ", ".join(choices.values)},
                    f"{path}.{key}",
                )
    elif source == "figure":
        allowed.add("figure")
        if spec.get("figure") not in OWN_FIGURES:
            raise SchemeError(
                _("%(path)s.figure must be one of: %(allowed)s.")
                % {"path": path, "allowed": ", ".join(OWN_FIGURES)},
                f"{path}.figure",
            )
    elif source == "share":
        allowed.add("share")
        if spec.get("share") not in SHARES:
            raise SchemeError(
                _("%(path)s.share must be one of: %(allowed)s.")
                % {"path": path, "allowed": ", ".join(SHARES)},
                f"{path}.share",
            )
    elif source == "reports":
        allowed.add("measure")
        if spec.get("measure") not in REPORT_MEASURES:
            raise SchemeError(
                _("%(path)s.measure must be one of: %(allowed)s.")
                % {"path": path, "allowed": ", ".join(REPORT_MEASURES)},
                f"{path}.measure",
            )
    elif source == "formula":
        allowed.add("formula")
        spec["formula"] = _text(spec.get("formula"), f"{path}.formula", limit=2000)
    _unknown_keys(spec, allowed, path)
    return spec


def _target(raw: Any, path: str) -> dict | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        return {"default": str(_number(raw, path, positive=True)), "units": {}}
    _unknown_keys(raw, {"default", "units"}, path)
    units = {}
    for code, value in _mapping(raw.get("units") or {}, f"{path}.units").items():
        units[str(code)] = str(_number(value, f"{path}.units.{code}", positive=True))
    default = raw.get("default")
    return {
        "default": None
        if default is None
        else str(_number(default, f"{path}.default", positive=True)),
        "units": units,
    }


def _rule(raw: Any, path: str, points: Decimal) -> dict:
    rule = _plain(_mapping(raw, path))
    try:
        validate_rule(rule, points=points)
    except RuleError as exc:
        field = f"{path}.{exc.field}" if exc.field else path
        raise SchemeError(f"{field}: {exc.message}", field, code=exc.code) from None
    return rule


def _plain(value: Any) -> Any:
    """YAML numbers as strings of decimals, so the JSON definition keeps them exact."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return fmt(Decimal(repr(value)))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def parse(text: str | bytes) -> dict:
    """Parse and validate a scheme file; returns the normalised definition."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise SchemeError(_("The file is larger than 512 KB."), None, code="file_too_large")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SchemeError(_("The file is not UTF-8 text."), None, code="bad_encoding") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = (
            _(" (line %(line)d, column %(column)d)")
            % {"line": mark.line + 1, "column": mark.column + 1}
            if mark
            else ""
        )
        raise SchemeError(
            _("The file is not valid YAML%(where)s.") % {"where": where}, None, code="bad_yaml"
        ) from None
    return validate(data)


def validate(data: Any) -> dict:
    data = _mapping(data, _("the file"))
    _unknown_keys(
        data,
        {
            "format", "year", "unit_kind", "name", "description", "appeal_days", "grades",
            "tables", "formulas", "areas",
        },
        "",
    )  # fmt: skip
    if data.get("format", FORMAT) != FORMAT:
        raise SchemeError(
            _("Unknown format %(format)s; this version of ipps reads format 1.")
            % {"format": data.get("format")},
            "format",
        )
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise SchemeError(_("year must be a year such as 2026."), "year")
    if data.get("unit_kind") not in UnitKind.values:
        raise SchemeError(
            _("unit_kind must be one of: %(allowed)s.") % {"allowed": ", ".join(UnitKind.values)},
            "unit_kind",
        )
    appeal_days = data.get("appeal_days", 10)
    if (
        not isinstance(appeal_days, int)
        or isinstance(appeal_days, bool)
        or not 0 <= appeal_days <= 90
    ):
        raise SchemeError(_("appeal_days must be a whole number from 0 to 90."), "appeal_days")
    grades = []
    for i, grade in enumerate(_list(data.get("grades"), "grades")):
        path = f"grades[{i}]"
        grade = _mapping(grade, path)
        _unknown_keys(grade, {"grade", "label", "min"}, path)
        grades.append(
            {
                "grade": _text(grade.get("grade"), f"{path}.grade", limit=32),
                "label": _text(grade.get("label"), f"{path}.label", required=False),
                "min": str(_number(grade.get("min"), f"{path}.min")),
            }
        )
    if len({g["grade"] for g in grades}) != len(grades):
        raise SchemeError(_("Two grades have the same name."), "grades")
    tables = {}
    for name, table in _mapping(data.get("tables") or {}, "tables").items():
        path = f"tables.{name}"
        tables[str(name)] = {
            str(k): str(_number(v, f"{path}.{k}")) for k, v in _mapping(table, path).items()
        }
    named = {
        str(k): _text(v, f"formulas.{k}", limit=2000)
        for k, v in _mapping(data.get("formulas") or {}, "formulas").items()
    }
    seen: set[str] = set()
    areas = []
    count = 0
    for a, area in enumerate(_list(data.get("areas"), "areas")):
        path = f"areas[{a}]"
        area = _mapping(area, path)
        _unknown_keys(area, {"code", "name", "indicators"}, path)
        indicators = []
        for i, indicator in enumerate(_list(area.get("indicators"), f"{path}.indicators")):
            ipath = f"{path}.indicators[{i}]"
            indicator = _mapping(indicator, ipath)
            _unknown_keys(
                indicator,
                {"code", "name", "points", "value", "target", "rule", "description"},
                ipath,
            )
            points = _number(indicator.get("points"), f"{ipath}.points", positive=True)
            rule = _rule(indicator.get("rule"), f"{ipath}.rule", points)
            value = (
                _value_spec(indicator.get("value"), f"{ipath}.value")
                if rule["type"] != "judgement" or indicator.get("value") is not None
                else {"source": "manual"}
            )
            target = _target(indicator.get("target"), f"{ipath}.target")
            needs_target = rule["type"] in TARGETED_RULES and rule.get("target") is None
            if needs_target and not (target and target["default"] is not None):
                raise SchemeError(
                    _("%(path)s needs a target (a number, or a default with per-unit values).")
                    % {"path": f"{ipath}.target"},
                    f"{ipath}.target",
                )
            indicators.append(
                {
                    "code": _code(indicator.get("code"), f"{ipath}.code", seen),
                    "name": _text(indicator.get("name"), f"{ipath}.name"),
                    "description": _text(
                        indicator.get("description"),
                        f"{ipath}.description",
                        required=False,
                        limit=2000,
                    ),
                    "points": str(points),
                    "value": value,
                    "target": target,
                    "rule": rule,
                    "path": ipath,
                }
            )
            count += 1
        areas.append(
            {
                "code": _code(area.get("code"), f"{path}.code", seen),
                "name": _text(area.get("name"), f"{path}.name"),
                "indicators": indicators,
            }
        )
    if count > MAX_INDICATORS:
        raise SchemeError(
            _("A scheme has at most %(max)d indicators.") % {"max": MAX_INDICATORS}, "areas"
        )
    definition = {
        "format": FORMAT,
        "year": year,
        "unit_kind": data["unit_kind"],
        "name": _text(data.get("name"), "name"),
        "description": _text(data.get("description"), "description", required=False, limit=5000),
        "appeal_days": appeal_days,
        "grades": grades,
        "tables": tables,
        "formulas": named,
        "areas": areas,
    }
    compile_definition(definition)
    return definition


def formula_inputs(definition: Mapping) -> tuple[dict[str, str], dict[str, str]]:
    """(inputs with their types, derived formulas) of a definition: every indicator that is not
    itself a formula is an input; formula indicators and named formulas are derived."""
    inputs = dict(UNIT_ATTRIBUTES)
    derived = dict(definition.get("formulas", {}))
    for area in definition["areas"]:
        for indicator in area["indicators"]:
            if indicator["value"]["source"] == "formula":
                derived[indicator["code"]] = indicator["value"]["formula"]
            else:
                inputs[indicator["code"]] = "number"
    return inputs, derived


def compile_definition(definition: Mapping) -> formulas_lang.CompiledSet:
    """Compile the definition's formulas; a problem is a SchemeError naming the formula's path
    and the position in its text."""
    inputs, derived = formula_inputs(definition)
    paths = {name: f"formulas.{name}" for name in definition.get("formulas", {})}
    for area in definition["areas"]:
        for indicator in area["indicators"]:
            paths[indicator["code"]] = f"{indicator['path']}.value.formula"
    clashes = set(definition.get("formulas", {})) & {
        i["code"] for a in definition["areas"] for i in a["indicators"]
    }
    if clashes:
        name = sorted(clashes)[0]
        raise SchemeError(
            _("The formula %(name)s has the same name as an indicator.") % {"name": name},
            f"formulas.{name}",
        )
    try:
        compiled = formulas_lang.compile_formulas(
            derived,
            inputs=inputs,
            tables={
                name: {k: Decimal(v) for k, v in table.items()}
                for name, table in definition.get("tables", {}).items()
            },
        )
    except formulas_lang.FormulaError as exc:
        path = paths.get(exc.name or "", "formulas")
        raise SchemeError(str(exc), path, code=f"formula_{exc.code}") from None
    for name in derived:
        if (
            name in paths
            and compiled.types[name] != "number"
            and name not in definition.get("formulas", {})
        ):
            raise SchemeError(
                _("The formula of indicator %(code)s must give a number.") % {"code": name},
                paths[name],
                code="formula_type_error",
            )
    return compiled


def dump(definition: Mapping) -> str:
    """The definition as a scheme file (YAML) that `parse` reads back to the same definition."""
    out: dict[str, Any] = {
        "format": FORMAT,
        "year": definition["year"],
        "unit_kind": definition["unit_kind"],
        "name": definition["name"],
    }
    if definition.get("description"):
        out["description"] = definition["description"]
    out["appeal_days"] = definition.get("appeal_days", 10)
    out["grades"] = [
        {k: _yaml_number(v) if k == "min" else v for k, v in g.items() if v != ""}
        for g in definition["grades"]
    ]
    if definition.get("tables"):
        out["tables"] = {
            name: {k: _yaml_number(v) for k, v in table.items()}
            for name, table in definition["tables"].items()
        }
    if definition.get("formulas"):
        out["formulas"] = dict(definition["formulas"])
    out["areas"] = []
    for area in definition["areas"]:
        indicators = []
        for i in area["indicators"]:
            item: dict[str, Any] = {"code": i["code"], "name": i["name"]}
            if i.get("description"):
                item["description"] = i["description"]
            item["points"] = _yaml_number(i["points"])
            item["value"] = i["value"]
            if i.get("target"):
                target = i["target"]
                if target["units"]:
                    item["target"] = {
                        "default": _yaml_number(target["default"]) if target["default"] else None,
                        "units": {k: _yaml_number(v) for k, v in target["units"].items()},
                    }
                else:
                    item["target"] = _yaml_number(target["default"])
            item["rule"] = _numbers_back(i["rule"])
            indicators.append(item)
        out["areas"].append({"code": area["code"], "name": area["name"], "indicators": indicators})
    return yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=100)


def _yaml_number(value: str | None):
    if value is None:
        return None
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def _numbers_back(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _numbers_back(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers_back(v) for v in value]
    if isinstance(value, str):
        try:
            return _yaml_number(value)
        except InvalidOperation:
            return value
    return value
