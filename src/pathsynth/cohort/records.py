"""Records files (CSV, Parquet): reading with validation, optional normalisation, atomic writing.

A records file holds one row per patient: an ``id`` column plus schema keys, canonical values
(docs/INTERFACE.md). Every problem is reported as one line naming the file, the row (its id) and
the column; nothing is written when the input is bad.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pathsynth._io import atomic_path
from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, Value, Variable, load_schema

#: Cell texts read as "unknown" besides the empty cell (what R, pandas and spreadsheets export).
NULL_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "none", "<na>"})

#: Integer keys that count things, for which a negative value gets its own message.
_COUNT_WORDS = ("numero", "count", "nombre", "nb_")

#: Beginnings of the problems a normaliser may fix (a surface form rather than a bad value).
_MAPPABLE = ("is not a canonical value", "is not a number")

_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}

Normalizer = Callable[[Variable, str], Value]


@dataclass
class Records:
    """Validated records: a typed frame plus what ``--normalize`` changed.

    ``frame`` has the column ``id`` (str) then every schema key in schema order: integer keys
    as pandas ``Int64``, number keys as float64 (NaN = unknown), categorical keys as object
    (``None`` = unknown). ``absent`` lists the schema keys the file did not have as columns.
    """

    frame: pd.DataFrame
    schema: Schema
    path: Path | None = None
    changes: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frame)


class _Problems:
    """Collects problems and raises one line: the first problem, and how many others."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        more = len(self.items) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise PathsynthError(f"{self.path}: {self.items[0]}{tail}")


def _suffix_kind(path: Path) -> str:
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise PathsynthError(f"{path}: records must be a .csv or .parquet file")
    return kind


def _read_csv_cells(path: Path) -> tuple[list[str], list[list[Any]]]:
    data = path.read_bytes()
    if not data.strip():
        raise PathsynthError(f"{path} is empty: expected a header line (id,<schema keys>) and rows")
    try:
        # utf-8-sig: spreadsheets often prefix a byte-order mark, which is still UTF-8.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PathsynthError(
            f"{path} is not UTF-8 (byte {exc.start}, line {line}): re-save it as UTF-8"
        ) from None
    # European spreadsheets export ";"-separated files: take the separator the header uses most.
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=lambda d: (first.count(d), d == ","))
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r]
    header = [h.strip() for h in rows[0]]
    body: list[list[Any]] = []
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise PathsynthError(
                f"{path}: line {i} has {len(row)} fields but the header has {len(header)}"
            )
        body.append(row)
    return header, body


def _read_parquet_cells(path: Path) -> tuple[list[str], list[list[Any]]]:
    if path.stat().st_size == 0:
        raise PathsynthError(f"{path} is empty: expected a Parquet table with an id column")
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise PathsynthError(
            f"{path} is not a readable Parquet file ({type(exc).__name__})"
        ) from None
    header = [str(c) for c in df.columns]
    body = df.astype(object).where(df.notna(), None).values.tolist()
    return header, body


def _is_null(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and raw.strip().lower() in NULL_MARKERS


def _parse_number(raw: Any) -> float | None:
    """A float from a cell, or None when the cell is not a plain number ("2,8 cm" is not)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | np.integer | np.floating):
        f = float(raw)
    else:
        # digits and one decimal point only: float() would also take "1_0", "1e3", "inf"
        text = str(raw).strip()
        if not _PLAIN_NUMBER.fullmatch(text):
            return None
        f = float(text)
    return f if math.isfinite(f) else None


_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _canonical_cell(var: Variable, raw: Any) -> tuple[Value, str | None]:
    """(value, None) when ``raw`` is canonical for ``var``, else (None, why-not phrase)."""
    if var.type == "categorical":
        text = str(raw).strip()
        if var.is_valid(text):
            return text, None
        also = f", or a code matching {var.open_codes}" if var.open_codes else ""
        return None, f"is not a canonical value (expected one of {', '.join(var.codes)}{also})"
    f = _parse_number(raw)
    if f is None:
        unit = f" in {var.unit}" if var.unit else ""
        return None, f"is not a number (expected a plain number{unit})"
    if var.type == "integer" and not f.is_integer():
        return None, "is not a whole number"
    if var.min is not None and f < var.min:
        if f < 0 and var.min >= 0:
            kind = "count" if var.type == "integer" else "value"
            return None, f"is a negative {kind}"
        return None, f"is below the minimum {var.min:g}"
    if var.max is not None and f > var.max:
        return None, f"is above the maximum {var.max:g}"
    return (int(f) if var.type == "integer" else f), None


def _load_normalizer() -> Normalizer:
    try:
        from pathsynth.schema.normalize import normalize_value
    except ImportError:  # the normaliser module ships with the schema package
        raise PathsynthError(
            "--normalize needs pathsynth.schema.normalize, which this installation lacks"
        ) from None

    def normalize(var: Variable, text: str) -> Value:
        return normalize_value(var, text)

    return normalize


def read_records(
    path: str | Path,
    schema: Schema | str | None = None,
    *,
    normalize: bool = False,
    blank_invalid: bool = False,
) -> Records:
    """Read and validate a records file (CSV or Parquet) against ``schema``.

    Raises :class:`PathsynthError` (one line naming file, row id and column) on: empty file,
    non-UTF-8 bytes, missing or empty ``id``, duplicate ids, unknown or repeated columns,
    values outside the canonical set, non-numeric or out-of-range numbers, negative counts,
    and affected nodes above examined nodes. Schema keys missing from the file are read as
    unknown and listed in ``Records.absent``.

    ``normalize`` maps non-canonical cells through
    :func:`pathsynth.schema.normalize.normalize_value` ("positif" → ``positive``, "2,8 cm" →
    28) and lists each change in ``Records.changes``. ``blank_invalid`` turns the cells that
    remain invalid into unknown (also listed) instead of failing: for cohorts whose codes the
    schema does not know, such as rare ICD-O morphologies.
    """
    p = Path(path)
    sch = schema if isinstance(schema, Schema) else load_schema(schema or "breast13")
    if not p.is_file():
        raise PathsynthError(f"records file not found: {p}")
    kind = _suffix_kind(p)
    header, body = _read_csv_cells(p) if kind == "csv" else _read_parquet_cells(p)
    return _validate(p, sch, header, body, normalize=normalize, blank_invalid=blank_invalid)


def _validate(
    p: Path,
    schema: Schema,
    header: Sequence[str],
    body: Sequence[Sequence[Any]],
    *,
    normalize: bool,
    blank_invalid: bool,
) -> Records:
    problems = _Problems(p)
    if "id" not in header:
        raise PathsynthError(f"{p}: no 'id' column (header: {', '.join(header) or 'none'})")
    seen_cols: set[str] = set()
    for col in header:
        if col in seen_cols:
            raise PathsynthError(f"{p}: column {col!r} appears twice in the header")
        seen_cols.add(col)
    unknown = [c for c in header if c != "id" and c not in schema]
    if unknown:
        raise PathsynthError(
            f"{p}: unknown column {unknown[0]!r}"
            + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
            + f"; schema {schema.name} has: {', '.join(schema.keys)}"
        )
    if not body:
        raise PathsynthError(f"{p} holds no record (a header but no rows)")

    normalizer = _load_normalizer() if normalize else None
    id_pos = header.index("id")
    ids: list[str] = []
    seen_ids: dict[str, int] = {}
    for i, row in enumerate(body, start=1):
        raw_id = row[id_pos]
        rid = "" if _is_null(raw_id) else str(raw_id).strip()
        if isinstance(raw_id, float) and raw_id.is_integer():
            rid = str(int(raw_id))
        if not rid:
            problems.add(f"row {i}: empty id")
        elif rid in seen_ids:
            problems.add(f"row {rid!r}: duplicate id (data rows {seen_ids[rid]} and {i})")
        else:
            seen_ids[rid] = i
        ids.append(rid or f"#{i}")
    problems.raise_if_any()

    changes: list[str] = []
    columns: dict[str, list[Value]] = {}
    for key in schema.keys:
        var = schema[key]
        if key not in header:
            columns[key] = [None] * len(body)
            continue
        pos = header.index(key)
        out: list[Value] = []
        for rid, row in zip(ids, body, strict=True):
            raw = row[pos]
            if _is_null(raw):
                out.append(None)
                continue
            value, why = _canonical_cell(var, raw)
            # Only spelling problems are for the normaliser; a negative or fractional count is not.
            mappable = why is not None and why.startswith(_MAPPABLE)
            if mappable and normalizer is not None:
                text = str(raw).strip()
                mapped = normalizer(var, text)
                if mapped is not None and var.is_valid(mapped):
                    value, why = var.canonical(mapped), None
                    changes.append(f"row {rid!r}, column {key!r}: {text!r} → {value!r}")
                else:
                    why = f"{why}, and --normalize does not understand it"
            if why is not None and blank_invalid:
                changes.append(f"row {rid!r}, column {key!r}: {str(raw).strip()!r} → unknown")
                value, why = None, None
            if why is not None:
                if not mappable:
                    hint = ""
                elif not normalize:
                    hint = "; rerun with --normalize to map surface forms"
                else:
                    hint = "; fix it, or rerun with --blank-invalid to read it as unknown"
                problems.add(f"row {rid!r}, column {key!r}: {str(raw).strip()!r} {why}{hint}")
            out.append(value)
        columns[key] = out
    problems.raise_if_any()

    frame = _typed_frame(ids, columns, schema)
    _check_constraints(frame, schema, problems)
    problems.raise_if_any()
    absent = [k for k in schema.keys if k not in header]
    return Records(frame=frame, schema=schema, path=p, changes=changes, absent=absent)


def _typed_frame(ids: list[str], columns: dict[str, list[Value]], schema: Schema) -> pd.DataFrame:
    data: dict[str, Any] = {"id": pd.Series(ids, dtype=object)}
    for key in schema.keys:
        vals = columns[key]
        var = schema[key]
        if var.type == "integer":
            data[key] = pd.array(vals, dtype="Int64")
        elif var.type == "number":
            data[key] = np.array([np.nan if v is None else float(v) for v in vals], dtype=float)
        else:
            data[key] = pd.Series(vals, dtype=object)
    return pd.DataFrame(data)


def _check_constraints(frame: pd.DataFrame, schema: Schema, problems: _Problems) -> None:
    """Cross-column rules of the schema (breast-13: affected nodes <= examined nodes)."""
    for c in schema.constraints:
        left = pd.to_numeric(frame[c.left], errors="coerce").astype(float).to_numpy()
        right = pd.to_numeric(frame[c.right], errors="coerce").astype(float).to_numpy()
        known = ~(np.isnan(left) | np.isnan(right))
        ok = np.ones(len(frame), dtype=bool)
        ok[known] = [
            c.holds({c.left: a, c.right: b}) for a, b in zip(left[known], right[known], strict=True)
        ]
        for i in np.flatnonzero(~ok):
            problems.add(
                f"row {frame['id'].iat[i]!r}, columns '{c.left}'/'{c.right}': "
                + c.breach(_num(left[i]), _num(right[i]))
            )


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def coerce_frame(frame: pd.DataFrame, schema: Schema | str | None = None) -> Records:
    """Validate an in-memory frame as :func:`read_records` validates a file (no normalisation).

    The frame needs an ``id`` column; missing schema keys are unknown. Returns typed
    :class:`Records` (``path`` is None).
    """
    sch = schema if isinstance(schema, Schema) else load_schema(schema or "breast13")
    header = [str(c) for c in frame.columns]
    obj = frame.astype(object)
    body = obj.where(frame.notna(), None).values.tolist()
    return _validate(Path("<frame>"), sch, header, body, normalize=False, blank_invalid=False)


def _csv_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float | np.floating):
        f = float(value)
        # "28" rather than "28.0": numbers are read back the same and look like a report's.
        return str(int(f)) if f.is_integer() else repr(round(f, 3))
    return str(value)


def write_records(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write records atomically, CSV or Parquet chosen by the suffix; return the path.

    Unknown cells are written empty (CSV) or null (Parquet). A failure leaves no file behind.
    """
    p = Path(path)
    kind = _suffix_kind(p)
    if "id" not in frame.columns:
        raise PathsynthError(f"cannot write {p}: the records have no 'id' column")
    with atomic_path(p) as tmp:
        if kind == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow([str(c) for c in frame.columns])
                cols = [frame[c].astype(object).tolist() for c in frame.columns]
                for row in zip(*cols, strict=True):
                    writer.writerow([_csv_cell(v) for v in row])
    return p
