"""The JSON answer of LLM extractors: its schema, its text, and reading it back (parse, repair,
validate) into canonical values."""

from __future__ import annotations

import json
import re
from typing import Any

from pathsynth.schema import Lang, Schema, Value

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_UNQUOTED_KEY = re.compile(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_]*)\s*:")
_PY_LITERALS = {r"\bNone\b": "null", r"\bTrue\b": "true", r"\bFalse\b": "false"}


def answer_json_schema(schema: Schema) -> dict[str, Any]:
    """A JSON Schema of the answer, for backends with constrained decoding."""
    props: dict[str, Any] = {}
    for var in schema.variables:
        if var.type == "categorical":
            props[var.key] = {"enum": [*var.codes, None]}
        else:
            kind = "integer" if var.type == "integer" else "number"
            prop: dict[str, Any] = {"type": [kind, "null"]}
            if var.min is not None:
                prop["minimum"] = var.min
            if var.max is not None:
                prop["maximum"] = var.max
            props[var.key] = prop
    return {
        "type": "object",
        "properties": props,
        "required": list(schema.keys),
        "additionalProperties": False,
    }


def answer_text(values: dict[str, Value], schema: Schema) -> str:
    """The canonical answer for ``values``: one-line JSON, keys in schema order."""
    return json.dumps(
        {k: schema[k].canonical(values.get(k)) for k in schema.keys}, ensure_ascii=False
    )


def variables_help(schema: Schema, lang: Lang) -> str:
    """One line per variable for a prompt: key, meaning, allowed values or unit."""
    lines = []
    for var in schema.variables:
        if var.type == "categorical":
            allowed = " | ".join(f'"{c}"' for c in var.codes)
        elif var.type == "integer":
            allowed = "integer" if lang == "en" else "entier"
        else:
            unit = f" ({var.unit})" if var.unit else ""
            allowed = ("number" if lang == "en" else "nombre") + unit
        lines.append(f"- {var.key}: {var.description[lang]} — {allowed}")
    return "\n".join(lines)


def _first_object(text: str) -> tuple[str, bool] | None:
    """The first balanced ``{...}`` in ``text`` (strings respected), or an unclosed tail."""
    start = text.find("{")
    if start < 0:
        return None
    depth = 0
    in_str = False
    esc = False
    for i in range(start, len(text)):
        ch = text[i]
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1], True
    # A truncated answer: close what is open so the keys written so far can still be read.
    tail = text[start:].rstrip().rstrip(",")
    if in_str:
        tail += '"'
    return tail + "}" * max(depth, 1), False


def _repair(obj_text: str) -> str:
    fixed = obj_text
    if "'" in fixed and '"' not in fixed:
        fixed = fixed.replace("'", '"')
    for pat, rep in _PY_LITERALS.items():
        fixed = re.sub(pat, rep, fixed)
    fixed = _UNQUOTED_KEY.sub(r'\1"\2":', fixed)
    return _TRAILING_COMMA.sub(r"\1", fixed)


def parse_answer(
    text: str, schema: Schema, lang: Lang | None = None
) -> tuple[dict[str, Value], bool]:
    """Values read from a model's answer and whether it was valid JSON as written.

    Repairs common slips (code fences, single quotes, trailing commas, unquoted keys, Python
    literals, a truncated object); each value is then validated against the schema, read through
    the schema normalisers when written as text ("2,8 cm", "positifs"), and dropped to ``None``
    when it still is not canonical. Unknown keys are ignored.
    """
    from pathsynth.evaluation.scoring import coerce_value
    from pathsynth.schema.normalize import normalize_value

    values: dict[str, Value] = schema.empty_values()
    found = _first_object(text)
    if found is None:
        return values, False
    raw, valid = found
    obj: Any = None
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError:
        valid = False
        try:
            obj = json.loads(_repair(raw))
        except json.JSONDecodeError:
            obj = None
    if not isinstance(obj, dict):
        return values, False
    lowered = {str(k).strip().lower(): v for k, v in obj.items()}
    for key in schema.keys:
        if key.lower() not in lowered:
            continue
        var = schema[key]
        given = lowered[key.lower()]
        if isinstance(given, str) and given.strip().lower() in {"", "null", "none", "n/a", "na"}:
            continue
        value = coerce_value(var, given)
        if value is None and isinstance(given, str | int | float) and given is not None:
            value = normalize_value(var, given, lang)
        values[key] = value
    return values, valid


def _gbnf_literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def answer_gbnf(schema: Schema) -> str:
    """A GBNF grammar (llama.cpp) accepting exactly the answers :func:`answer_text` writes: the
    keys in schema order with its separators, each value one of the schema's codes, a number in
    range form, or ``null``. Only the values are left to the model."""
    rules = []
    parts = []
    for i, var in enumerate(schema.variables):
        sep = "{" if i == 0 else ", "
        parts.append(_gbnf_literal(sep + json.dumps(var.key) + ": ") + f" v{i}")
        if var.type == "categorical":
            alts = [_gbnf_literal(json.dumps(code, ensure_ascii=False)) for code in var.codes]
            rules.append(f"v{i} ::= " + " | ".join([*alts, '"null"']))
        elif var.type == "integer" and var.min is not None and var.max is not None and var.max <= 9:
            rules.append(f'v{i} ::= "null" | [{int(var.min)}-{int(var.max)}]')
        elif var.type == "integer":
            rules.append(f'v{i} ::= "null" | int')
        else:
            rules.append(f'v{i} ::= "null" | int ("." [0-9] [0-9]?)?')
    root = "root ::= " + " ".join(parts) + ' "}"'
    return "\n".join([root, *rules, 'int ::= "0" | [1-9] [0-9]? [0-9]?']) + "\n"
