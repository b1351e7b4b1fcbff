"""Reading "the shared aggregates": a data directory of CSV files or one .xlsx workbook, into raw tables.

The format is a public contract; the names below are exact.

Data directory
--------------
forbund.csv        forbund, name
responses.csv      year, forbund, group, question, gender, answer, count
participation.csv  year, forbund, group, asked, unreachable, answered,
                   answered_kvinna, answered_man, answered_ej_uppgett, answered_utan_kon
national.csv       optional national reference: year, group, question, gender, answer, count
                   (answer counts for the whole country, all förbund together, including
                   those in the data)
national_participation.csv
                   optional: the columns of participation.csv without ``forbund``
dataset.toml       optional: ``[dataset]`` name, synthetic (bool), source, description,
                   publish_aggregates (bool: the site may offer the raw aggregates)

Workbook (.xlsx)
----------------
Sheets ``forbund``, ``responses`` and ``participation`` with the same columns
(header in the first row), optional sheets ``national`` and
``national_participation`` (the national reference; without such a sheet the
file ``national.csv`` / ``national_participation.csv`` next to the workbook is
read, if present), and an optional sheet ``dataset`` with the two
columns ``key, value`` holding the same metadata as ``dataset.toml``.

Reading rules
-------------
- CSV files are UTF-8 with or without BOM. The separator (``,`` or ``;``, as
  in Swedish Excel exports) is detected per file from the header line.
- Bytes that are not UTF-8 become a :class:`Problem` naming the file and line
  (the text is then read with replacement characters so the other checks still
  run).
- Every cell is read as a string with surrounding whitespace stripped; extra
  columns are ignored; types are checked by :mod:`finsam.validate`, so every
  bad cell becomes its own problem.
- After loading, ``year``, ``answer``, ``count`` and all participation numbers
  are ``int64``; every other column is ``str``. The CSV and the workbook form
  of the same data load to identical frames.

Row numbers
-----------
Problems name the row as a text editor or Excel shows it: the header is
"rad 1" and the first data row is "rad 2" (a CSV record spanning several
lines is numbered by its first line). In a workbook the sheet is named with
the file: ``data.xlsx, blad responses, rad 5, kolumn count: ...``.

Reading never writes anything. :mod:`finsam.validate` checks the raw tables;
:func:`finsam.io.load_dataset` reads, validates and types them.
"""

from __future__ import annotations

import datetime as _dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ._csv_text import _csv_records, _decode, _mixed_separators, _parse_csv_fast, _sniff_separator
from ._paths import DEMO_DIR
from ._problem import Problem
from ._sheet_xml import cell_problems
from .errors import FinsamError

TABLES = {
    "forbund": ["forbund", "name"],
    "responses": ["year", "forbund", "group", "question", "gender", "answer", "count"],
    "participation": [
        "year", "forbund", "group", "asked", "unreachable", "answered",
        "answered_kvinna", "answered_man", "answered_ej_uppgett", "answered_utan_kon",
    ],
}
#: Optional tables: the national reference (issue 13). Absent file or sheet = no reference.
OPTIONAL_TABLES = {
    "national": ["year", "group", "question", "gender", "answer", "count"],
    "national_participation": [c for c in TABLES["participation"] if c != "forbund"],
}
#: Every table, required ones first (the order problems are sorted in).
ALL_TABLES = {**TABLES, **OPTIONAL_TABLES}
INT_COLUMNS = {
    "national": ["year", "answer", "count"],
    "national_participation": OPTIONAL_TABLES["national_participation"][:1]
    + OPTIONAL_TABLES["national_participation"][2:],
    "forbund": [],
    "responses": ["year", "answer", "count"],
    "participation": TABLES["participation"][:1] + TABLES["participation"][3:],
}
#: Keys of the primary key of each table (no two rows may share them).
KEYS = {
    "forbund": ["forbund"],
    "responses": ["year", "forbund", "group", "question", "gender", "answer"],
    "participation": ["year", "forbund", "group"],
    "national": ["year", "group", "question", "gender", "answer"],
    "national_participation": ["year", "group"],
}
#: Metadata keys written to the template's ``dataset`` sheet.
META_KEYS = ("name", "synthetic", "source", "description", "publish_aggregates")
#: Metadata keys holding a yes/no value.
BOOL_META_KEYS = ("synthetic", "publish_aggregates")
META_FILE = "dataset.toml"
META_SHEET = "dataset"
CODES_SHEET = "koder"

#: Fixed timestamp for the template (deterministic bytes).
_TRUE = {"true", "1", "ja", "yes", "sant"}
_FALSE = {"false", "0", "nej", "no", "falskt"}


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------
class DataValidationError(FinsamError, ValueError):
    """The data could not be loaded; ``.problems`` lists every problem found."""

    def __init__(self, problems: list[Problem], source: str | Path | None = None):
        self.problems = list(problems)
        self.source = source
        where = f" i {source}" if source is not None else ""
        lines = [f"{len(self.problems)} fel hittades{where}:"] + [str(p) for p in self.problems]
        super().__init__("\n".join(lines))


# ---------------------------------------------------------------------------
# Data containers
# ---------------------------------------------------------------------------
@dataclass
class Dataset:
    """The three tables of a data directory plus its metadata and optional national reference.

    ``national`` and ``national_participation`` are ``None`` when the data
    have no national reference (see the module docstring).
    """

    forbund: pd.DataFrame
    responses: pd.DataFrame
    participation: pd.DataFrame
    meta: dict = field(default_factory=dict)
    source: Path | None = None
    national: pd.DataFrame | None = None
    national_participation: pd.DataFrame | None = None

    @property
    def synthetic(self) -> bool:
        return bool(self.meta.get("synthetic", False))

    @property
    def years(self) -> list[int]:
        return sorted(set(self.responses["year"]) | set(self.participation["year"]))

    def forbund_name(self, forbund: str) -> str:
        """The förbund's name (its id when the table does not list it)."""
        # A report asks hundreds of times: the map is built once per ``forbund`` table
        # (a new table gets a new map; the table is not edited in place).
        cached = self.__dict__.get("_names")
        if cached is None or cached[0] is not self.forbund:
            names: dict = {}
            for fid, name in zip(self.forbund["forbund"], self.forbund["name"]):
                names.setdefault(fid, name)
            cached = self.__dict__["_names"] = (self.forbund, names)
        return cached[1].get(forbund, forbund)


@dataclass
class RawData:
    """The tables as read, before type checks.

    Attributes
    ----------
    tables : dict
        Table name → DataFrame of ``str`` columns (the contract's columns that
        exist, in contract order), index = the source row number ("rad").
        ``None`` when the file or sheet is missing.
    locations : dict
        Table name → ``(file, sheet)`` used in problems (sheet ``None`` for CSV).
    meta : dict
        The metadata (``dataset.toml`` or the ``dataset`` sheet).
    problems : list of Problem
        Problems found while reading (missing file/column, encoding, ...).
    source : Path
        The directory or workbook.
    """

    tables: dict[str, pd.DataFrame | None]
    locations: dict[str, tuple[str, str | None]]
    meta: dict
    problems: list[Problem]
    source: Path

    def problem(self, table: str, row: int | None, column: str | None, message: str) -> Problem:
        """A problem located in ``table`` (file and sheet filled in)."""
        file, sheet = self.locations[table]
        return Problem(file, row, column, message, sheet)


def default_data_dir() -> Path:
    """The shipped synthetic demo data."""
    return DEMO_DIR


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def _frame(
    header: list[str], columns: list[list[str]], numbers: list[int], table: str, location: tuple[str, str | None]
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Build the string frame of one table.

    ``columns[i]`` holds the stripped values under ``header[i]``, one per
    entry of ``numbers`` (the source row numbers).
    """
    file, sheet = location
    header = [h.strip() for h in header]
    wanted = ALL_TABLES[table]
    missing = [c for c in wanted if c not in header]
    problems = [Problem(file, 1, c, "kolumnen saknas", sheet) for c in missing]
    if missing:
        return None, problems
    dup = sorted({c for c in wanted if header.count(c) > 1})
    problems += [Problem(file, 1, c, "kolumnen finns flera gånger", sheet) for c in dup]
    if dup:
        return None, problems
    data = {c: pd.Series(columns[header.index(c)], dtype="str") for c in wanted}
    df = pd.DataFrame(data, columns=wanted)
    df.index = pd.Index(numbers, dtype="int64", name="rad")
    return df, problems


def _rows_to_columns(
    header: list[str], rows: list[list[str]], numbers: list[int], file: str, sheet: str | None
) -> tuple[list[list[str]], list[Problem]]:
    """Transpose data rows to columns; rows longer than the header are problems."""
    width = len(header)
    problems = [
        Problem(file, number, None, f"raden har {len(row)} fält men rubrikraden har {width}", sheet)
        for number, row in zip(numbers, rows)
        if len(row) > width and any(v.strip() for v in row[width:])
    ]
    padded = [[v.strip() for v in row[:width]] + [""] * (width - len(row)) for row in rows]
    columns = [list(col) for col in zip(*padded)] if padded else [[] for _ in range(width)]
    return columns, problems


#: Rows below the first that are searched for the column names when the first row lacks them.
_TITLE_ROWS = 5


def _gather(records, table: str, file: str, sheet: str | None) -> tuple[list[str], list[list[str]], list[int], list[Problem]]:
    """Header, non-empty data rows and their row numbers from ``(number, cells)`` records (CSV or sheet).

    The first record is the header. If it lacks the table's columns but one of
    the next :data:`_TITLE_ROWS` non-empty rows has them all, the rows above are
    a title: a problem, and the table is read from the real header on.
    """
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, cells in records:
        if header is None:
            header = cells
        elif any(c.strip() for c in cells):
            rows.append(cells)
            numbers.append(number)
    header = header or []
    problems: list[Problem] = []
    wanted = set(ALL_TABLES[table])
    if any(c.strip() for c in header) and not wanted <= {c.strip() for c in header}:
        for i, row in enumerate(rows[:_TITLE_ROWS]):
            if wanted <= {c.strip() for c in row}:
                above = "rad 1" if numbers[i] == 2 else f"raderna 1–{numbers[i] - 1}"
                problems.append(Problem(
                    file, 1, None, f"{above} ovanför kolumnrubrikerna (som står på rad {numbers[i]}) är en titel; "
                    "ta bort den så att kolumnrubrikerna står på rad 1", sheet))
                header, rows, numbers = row, rows[i + 1:], numbers[i + 1:]
                break
    return header, rows, numbers, problems


def _table(header: list[str], rows: list[list[str]], numbers: list[int], table: str,
           location: tuple[str, str | None]) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The string frame of one table from gathered rows (CSV or sheet)."""
    columns, problems = _rows_to_columns(header, rows, numbers, *location)
    df, more = _frame(header, columns, numbers, table, location)
    return df, problems + more


def _read_csv(path: Path, table: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        return None, [Problem(path.name, None, None, f"filen kan inte läsas ({err.strerror})")]
    text, problems = _decode(raw, path.name)
    if not text.strip():
        return None, problems + [Problem(path.name, None, None, "filen är tom (rubrikraden saknas)")]
    sep = _sniff_separator(text)
    text, more = _mixed_separators(text, sep, path.name)
    problems += more
    fast = _parse_csv_fast(text, sep)
    if fast is not None and set(ALL_TABLES[table]) <= {h.strip() for h in fast[0]}:
        header, columns, numbers = fast
        df, more = _frame(header, columns, numbers, table, (path.name, None))
        return df, problems + more
    # The slow path: records spanning lines, malformed CSV, or a header not on the first line.
    read: list[Problem] = []
    header, rows, numbers, more = _gather(_csv_records(text, sep, path.name, read), table, path.name, None)
    df, more2 = _table(header, rows, numbers, table, (path.name, None))
    return df, problems + read + more + more2


def _cell(value) -> str:
    """A workbook cell as the string a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    return str(value)


def _sheet_table(wb, name: str, location: tuple[str, str | None]) -> tuple[pd.DataFrame | None, list[Problem]]:
    """One sheet as a string table, with the problems of its cells (title row, merged cells, formulas)."""
    ws = wb[name]
    ws.reset_dimensions()  # stored dimensions can be stale (some writers); read every row
    records = ((n, [_cell(v) for v in values]) for n, values in enumerate(ws.iter_rows(values_only=True), start=1))
    header, rows, numbers, problems = _gather(records, name, location[0], name)
    # Trailing empty header cells (formatted but unused columns) are not columns.
    while header and not header[-1].strip():
        header.pop()
    df, more = _table(header, rows, numbers, name, location)
    cells = [Problem(location[0], row, column, message, name) for row, column, message in cell_problems(wb, ws, header)]
    return df, problems + cells + more


def _parse_bool(value, file: str, row: int | None, column: str | None, sheet: str | None, key: str = "synthetic"):
    if isinstance(value, bool):
        return value, []
    text = str(value).strip().lower()
    if text in _TRUE:
        return True, []
    if text in _FALSE:
        return False, []
    message = f"{key} måste vara true eller false, inte '{value}'"
    return None, [Problem(file, row, column, message, sheet)]


def _read_meta_toml(path: Path) -> tuple[dict, list[Problem]]:
    f = path / META_FILE
    if not f.is_file():
        return {}, []
    try:
        meta = tomllib.loads(f.read_bytes().decode("utf-8-sig")).get("dataset", {})
    except UnicodeDecodeError:
        return {}, [Problem(META_FILE, None, None, "texten är inte UTF-8")]
    except tomllib.TOMLDecodeError as err:
        return {}, [Problem(META_FILE, None, None, f"ogiltig TOML ({err})")]
    if not isinstance(meta, dict):
        return {}, [Problem(META_FILE, None, None, "[dataset] måste vara en tabell")]
    meta = dict(meta)
    problems: list[Problem] = []
    for key in BOOL_META_KEYS:
        if key in meta:
            value, more = _parse_bool(meta[key], META_FILE, None, None, None, key)
            problems += more
            meta[key] = bool(value)
    return meta, problems


def _read_meta_sheet(wb, file: str) -> tuple[dict, list[Problem]]:
    if META_SHEET not in wb.sheetnames:
        return {}, []
    meta: dict = {}
    problems: list[Problem] = []
    ws = wb[META_SHEET]
    ws.reset_dimensions()
    rows = ws.iter_rows(min_row=1, values_only=True)
    for number, values in enumerate(rows, start=1):
        values = list(values) + [None, None]
        key, value = values[0], values[1]
        if number == 1 or key is None or not str(key).strip():
            continue
        key = str(key).strip()
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key in BOOL_META_KEYS:
            parsed, more = _parse_bool(value, file, number, "value", META_SHEET, key)
            problems += more
            meta[key] = bool(parsed)
        else:
            meta[key] = _cell(value).strip()
    return meta, problems


def _read_directory(path: Path) -> RawData:
    tables: dict[str, pd.DataFrame | None] = {}
    locations = {name: (f"{name}.csv", None) for name in TABLES}
    problems: list[Problem] = []
    for name in TABLES:
        f = path / f"{name}.csv"
        if not f.is_file():
            tables[name] = None
            problems.append(Problem(f.name, None, None, "filen saknas"))
            continue
        tables[name], more = _read_csv(f, name)
        problems += more
    for name in OPTIONAL_TABLES:
        f = path / f"{name}.csv"
        locations[name] = (f.name, None)
        tables[name] = None
        if f.is_file():
            tables[name], more = _read_csv(f, name)
            problems += more
    meta, more = _read_meta_toml(path)
    return RawData(tables, locations, meta, problems + more, path)


def _read_workbook(path: Path) -> RawData:
    from openpyxl import load_workbook

    file = path.name
    locations = {name: (file, name) for name in ALL_TABLES}
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a bad file
        empty = {name: None for name in ALL_TABLES}
        return RawData(empty, locations, {}, [Problem(file, None, None, f"arbetsboken kan inte läsas ({err})")], path)
    tables: dict[str, pd.DataFrame | None] = {}
    problems: list[Problem] = []
    try:
        for name in TABLES:
            if name not in wb.sheetnames:
                tables[name] = None
                problems.append(Problem(file, None, None, "bladet saknas", name))
                continue
            tables[name], more = _sheet_table(wb, name, locations[name])
            problems += more
        for name in OPTIONAL_TABLES:
            tables[name] = None
            if name in wb.sheetnames:
                tables[name], more = _sheet_table(wb, name, locations[name])
                problems += more
            elif (path.parent / f"{name}.csv").is_file():  # NNS's reference file next to the workbook
                locations[name] = (f"{name}.csv", None)
                tables[name], more = _read_csv(path.parent / f"{name}.csv", name)
                problems += more
        meta, more = _read_meta_sheet(wb, file)
    finally:
        wb.close()
    return RawData(tables, locations, meta, problems + more, path)


def read_raw(path: str | Path | None = None) -> RawData:
    """Read a data directory or workbook as strings, without type checks.

    Parameters
    ----------
    path : path, optional
        A directory with the CSV files or an ``.xlsx`` workbook; ``None`` means
        the demo data.

    Returns
    -------
    RawData
        The string tables and the problems found while reading.
    """
    path = Path(path) if path is not None else default_data_dir()
    if path.is_dir():
        return _with_gender_ids(_read_directory(path))
    locations = {name: (f"{name}.csv", None) for name in ALL_TABLES}
    empty = {name: None for name in ALL_TABLES}
    if path.is_file() and path.suffix.lower() == ".xlsx":
        return _with_gender_ids(_read_workbook(path))
    if path.is_file():
        message = "varken en datakatalog eller en .xlsx-arbetsbok"
    else:
        message = "katalogen eller filen finns inte"
    return RawData(empty, locations, {}, [Problem(str(path), None, None, message)], path)


def gender_aliases() -> dict[str, str]:
    """Every accepted spelling of a gender code (lower case) → its id.

    The ids themselves, NNS's numeric codes 1–4 and the labels of the
    catalogue (the template's ``koder`` sheet), in any letter case.
    """
    from .catalog import load_catalog

    out = {}
    for g in load_catalog().genders.itertuples(index=False):
        for alias in (g.gender, str(int(g.code)), f"{int(g.code)}.0", g.label):
            out[str(alias).strip().lower()] = g.gender
    return out


def _with_gender_ids(raw: RawData) -> RawData:
    """Responses' ``gender`` written as NNS code or label (any case) → the id (``1`` → ``kvinna``)."""
    aliases = None
    for name in ("responses", "national"):
        df = raw.tables.get(name)
        if df is not None and "gender" in df.columns and len(df):
            aliases = aliases or gender_aliases()
            lower = df["gender"].astype(str).str.strip().str.lower()
            df["gender"] = lower.map(aliases).fillna(df["gender"])
    return raw


def read_meta(path: Path) -> dict:
    """The metadata of a data directory's ``dataset.toml`` (``{}`` if absent)."""
    return _read_meta_toml(Path(path))[0]


def typed_tables(raw: RawData) -> dict[str, pd.DataFrame]:
    """Convert checked string tables to the typed frames of :class:`Dataset`."""
    out = {}
    for name, df in raw.tables.items():
        if df is None:  # an optional table that is absent
            out[name] = None
            continue
        df = df.reset_index(drop=True)
        for c in INT_COLUMNS[name]:
            df[c] = df[c].astype("int64")
        out[name] = df
    return out
