"""Row-level type rules of the shared aggregates, and the helpers every validation rule uses.

Years, counts and answer codes are parsed and checked here (also for
``load_dataset(validate=False)``, which needs typed tables); the code, key and
cross-table rules are in :mod:`finsam.validate`.
"""

from __future__ import annotations

import re

import pandas as pd

from .catalog import year_span
from .reading import ALL_TABLES, KEYS, OPTIONAL_TABLES, Problem, RawData


#: Last plausible measurement year (the first comes from the catalogue).
LAST_YEAR = 2100
#: Default plausible year range when no catalogue is at hand.
YEAR_RANGE = (2017, LAST_YEAR)

_GENDER_COLUMNS = ["answered_kvinna", "answered_man", "answered_ej_uppgett", "answered_utan_kon"]
_TABLE_ORDER = {name: i for i, name in enumerate(ALL_TABLES)}


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def _where(raw: RawData, table: str) -> str:
    """How another table is referred to inside a message."""
    file, sheet = raw.locations[table]
    return f"bladet {sheet}" if sheet else file


def _ref(raw: RawData, table: str, row: int) -> str:
    return f"{_where(raw, table)} rad {row}"


def _fmt(value: float) -> str:
    return str(int(value))


#: Largest count a survey cell can hold: more than the number of people in Sweden is an error
#: (and keeps every count far inside 64-bit integers).
MAX_COUNT = 10_000_000
#: Longest förbund name (characters).
MAX_NAME = 200
#: Characters of a cell value quoted in a message.
SHOWN_CHARS = 40


def _shown(value) -> str:
    """A cell value as a message quotes it: invisible characters visible (``\\x00``, ``\\ufeff``), cut at
    :data:`SHOWN_CHARS` characters."""
    text = str(value)
    cut = len(text) > SHOWN_CHARS
    text = text[:SHOWN_CHARS]
    out = "".join(ch if ch.isprintable() or ch == " " else ascii(ch)[1:-1] for ch in text)
    return f"'{out}'" + (f" (… {len(str(value))} tecken)" if cut else "")


class _Collector:
    """Collects problems for one RawData."""

    def __init__(self, raw: RawData):
        self.raw = raw
        self.problems: list[Problem] = []

    def add(self, table: str, rows, column: str | None, messages) -> None:
        """Add one problem per row; ``messages`` is a string or one per row."""
        rows = [int(r) for r in rows]
        if isinstance(messages, str):
            messages = [messages] * len(rows)
        self.problems.extend(self.raw.problem(table, r, column, m) for r, m in zip(rows, messages))


def _parse_int(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(values as float with NaN, empty mask, not-an-integer mask)."""
    try:  # fast path: every cell is a plain integer literal (then the result is integer-typed)
        parsed = pd.to_numeric(s.to_numpy(dtype=object))
        if parsed.dtype.kind in "iu":
            none = pd.Series(False, index=s.index)
            return pd.Series(parsed.astype("float64"), index=s.index), none, none
    except (ValueError, TypeError, OverflowError):
        pass
    empty = s.eq("")
    ok = s.str.fullmatch(r"[+-]?[0-9]+").fillna(False).astype(bool)
    values = pd.to_numeric(s.where(ok), errors="coerce").astype("float64")
    return values, empty, ~ok & ~empty


def _check_year(col: _Collector, table: str, s: pd.Series, year_range) -> tuple[pd.Series, pd.Series]:
    values, empty, bad = _parse_int(s)
    lo, hi = year_range
    out = values.notna() & ((values < lo) | (values > hi))
    col.add(table, s.index[empty], "year", "år saknas")
    col.add(table, s.index[bad], "year", [f"{_shown(v)} är inte ett årtal" for v in s[bad]])
    col.add(
        table, s.index[out], "year",
        [f"år {_fmt(v)} ligger utanför mätåren ({lo}–{hi})" for v in values[out]],
    )
    ok = values.notna() & ~out
    return values.where(ok), ok


def _check_count(col: _Collector, table: str, s: pd.Series, column: str) -> tuple[pd.Series, pd.Series]:
    values, empty, bad = _parse_int(s)
    negative = values < 0
    huge = values > MAX_COUNT
    col.add(table, s.index[empty], column, "värde saknas")
    col.add(table, s.index[bad], column, [f"{_shown(v)} är inte ett heltal" + _share_hint(v) for v in s[bad]])
    col.add(table, s.index[negative], column, [f"värdet {_fmt(v)} är negativt" for v in values[negative]])
    col.add(table, s.index[huge], column,
            [f"värdet {_shown(v)} är orimligt stort (högst {MAX_COUNT:,} i en enkätcell)".replace(",", " ")
             for v in s[huge]])
    ok = values.notna() & ~negative & ~huge
    return values.where(ok), ok


_SHARE = re.compile(r"^\s*(0?[.,]\d+|1[.,]0*|\d{1,3}([.,]\d+)?\s*%)\s*$")


def _share_hint(value) -> str:
    """A hint when a value looks like a share (0.53, "53 %"): a count is expected."""
    return " – det ser ut som en andel; ange antal svar (ett heltal)" if _SHARE.match(str(value)) else ""


def _check_code(col: _Collector, table: str, s: pd.Series, column: str, valid: set, unknown_text: str,
                hint: str) -> pd.Series:
    """Non-empty and in ``valid``; returns the ok mask."""
    empty = s.eq("")
    unknown = ~s.isin(valid) & ~empty
    col.add(table, s.index[empty], column, "värde saknas")
    col.add(table, s.index[unknown], column, [f"{unknown_text} {_shown(v)}{hint}" for v in s[unknown]])
    return ~empty & ~unknown


def _check_duplicates(col: _Collector, table: str, df: pd.DataFrame) -> pd.Series:
    """Report every repeat of a key; returns the mask of repeats."""
    keys = KEYS[table]
    dup = df.duplicated(keys, keep="first")
    if dup.any():
        first = df.reset_index().groupby(keys, sort=False)["rad"].transform("min")
        first.index = df.index
        names = ", ".join(keys[:-1]) + f" och {keys[-1]}" if len(keys) > 1 else keys[0]
        col.add(table, df.index[dup], None, [f"samma {names} som rad {r}" for r in first[dup]])
    return dup


def _ranges(codes: list[int]) -> str:
    codes = sorted(codes)
    if codes and codes == list(range(codes[0], codes[-1] + 1)):
        return f"{codes[0]}–{codes[-1]}"
    return ", ".join(str(c) for c in codes)


def _spans(rows: pd.DataFrame) -> str:
    return ", ".join(year_span(r.first_year, r.last_year) for r in rows.sort_values("first_year").itertuples())


# ---------------------------------------------------------------------------
# Type checks (also used by load_dataset(validate=False))
# ---------------------------------------------------------------------------
def _types(col: _Collector, catalog_first_year: int | None) -> dict[str, dict]:
    """Check integers and years; returns per table the parsed values and ok masks."""
    year_range = (catalog_first_year or YEAR_RANGE[0], LAST_YEAR)
    parsed: dict[str, dict] = {}
    for table in ("responses", "participation", *OPTIONAL_TABLES):
        df = col.raw.tables.get(table)
        if df is None or list(df.columns) != ALL_TABLES[table]:
            continue
        values, oks = {}, {}
        values["year"], oks["year"] = _check_year(col, table, df["year"], year_range)
        for c in ALL_TABLES[table]:
            if c == "answer":
                v, empty, bad = _parse_int(df[c])
                col.add(table, df.index[empty], c, "värde saknas")
                col.add(table, df.index[bad], c, [f"svarskoden {_shown(x)} är inte ett heltal" for x in df[c][bad]])
                values[c], oks[c] = v, v.notna()
            elif c in ("count", "asked", "unreachable", "answered") or c in _GENDER_COLUMNS:
                values[c], oks[c] = _check_count(col, table, df[c], c)
        parsed[table] = {"values": values, "ok": oks}
    return parsed


def type_problems(raw: RawData, catalog=None) -> list[Problem]:
    """Reading problems plus type problems: what ``load_dataset`` needs to build typed tables."""
    col = _Collector(raw)
    first = int(catalog.questions["first_year"].min()) if catalog is not None else None
    _types(col, first)
    return _sorted(raw, list(raw.problems) + col.problems)


def _sorted(raw: RawData, problems: list[Problem]) -> list[Problem]:
    """Order by table (file, sheet), row and column; stable within a cell."""
    order = {}
    for table, (file, sheet) in raw.locations.items():
        order[file, sheet] = _TABLE_ORDER[table]
    columns = {c: i for cols in ALL_TABLES.values() for i, c in enumerate(cols)}

    def key(p: Problem):
        return (order.get((p.file, p.sheet), -1 if p.file == str(raw.source) else len(order)),
                p.row or 0, columns.get(p.column, -1))

    return sorted(problems, key=key)
