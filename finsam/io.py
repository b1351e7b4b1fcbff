"""Loading and writing "the shared aggregates" (public API of the data format).

:func:`load_dataset` reads a data directory or workbook (:mod:`finsam.reading`),
checks it (:mod:`finsam.validate`) and returns typed tables;
:func:`write_template` writes an empty workbook. The reading names
(:class:`Problem`, :class:`Dataset`, :func:`read_raw`, …) are exported here as
well, since the format's users know them from this module.
"""

from __future__ import annotations

import datetime as _dt
import io as _io
import re
import zipfile
from pathlib import Path

from ._atomic import atomic_path
from .catalog import year_span
from .reading import (  # noqa: F401 - the data format's public names
    BOOL_META_KEYS,
    CODES_SHEET,
    INT_COLUMNS,
    KEYS,
    META_FILE,
    META_KEYS,
    META_SHEET,
    TABLES,
    Dataset,
    DataValidationError,
    Problem,
    RawData,
    default_data_dir,
    read_meta,
    read_raw,
    typed_tables,
)
from .validate import type_problems, validate_dataset

_FIXED_TIME = _dt.datetime(2020, 1, 1, 0, 0, 0)


def load_dataset(path: str | Path | None = None, *, validate: bool = True, catalog=None) -> Dataset:
    """Load a data directory (or .xlsx workbook).

    Parameters
    ----------
    path : path, optional
        Directory or workbook; ``None`` means the demo data.
    validate : bool
        Check every rule of :mod:`finsam.validate` (default). With ``False``
        only what is needed to build typed tables is checked (files, columns,
        encoding, integers, years).
    catalog : Catalog, optional
        The survey catalogue; default :func:`finsam.catalog.load_catalog`.

    Raises
    ------
    DataValidationError
        With ``.problems`` listing every problem found.
    """
    raw = read_raw(path)
    if validate:
        problems = validate_dataset(raw, catalog=catalog)
    else:
        problems = type_problems(raw)
    if problems:
        raise DataValidationError(problems, raw.source)
    return Dataset(**typed_tables(raw), meta=raw.meta, source=raw.source)


# ---------------------------------------------------------------------------
# Template
# ---------------------------------------------------------------------------
def _code_blocks(catalog) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) of each block on the ``koder`` sheet."""
    groups = catalog.groups.sort_values("order")
    q = catalog.questions.merge(groups[["group", "order"]], on="group").sort_values(
        ["order", "first_year", "number"], kind="stable"
    )
    question_rows = [
        [r.question, r.group, int(r.number), r.text, r.scale, year_span(r.first_year, r.last_year),
         f"{r.condition_question}={int(r.condition_answer)}" if r.condition_question else ""]
        for r in q.itertuples()
    ]
    return [
        ("Grupper (kolumn group)", ["group", "namn"], [[r.group, r.name] for r in groups.itertuples()]),
        (
            "Frågor (kolumn question; en rad per version)",
            ["question", "group", "nummer", "text", "skala", "år", "villkor"],
            question_rows,
        ),
        (
            "Svarsskalor (kolumn answer = kod)",
            ["skala", "kod", "svarsalternativ"],
            [[r.scale, int(r.code), r.label] for r in catalog.scales.itertuples()],
        ),
        (
            "Kön (kolumn gender)",
            ["gender", "kod i enkäten", "betydelse"],
            [[r.gender, int(r.code), r.label] for r in catalog.genders.itertuples()],
        ),
    ]


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite an .xlsx with fixed zip timestamps and document dates."""
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = _io.BytesIO()
    with zipfile.ZipFile(_io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text)
                content = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, content)
    return out.getvalue()


def write_template(path: str | Path, catalog=None) -> Path:
    """Write an empty .xlsx workbook for entering data.

    Sheets ``forbund``, ``responses``, ``participation`` (headers only),
    ``dataset`` (``key, value`` with the metadata keys, values empty) and
    ``koder`` (valid groups, questions, scale codes and gender codes from the
    catalogue). The bytes are deterministic; the file is written atomically.

    Parameters
    ----------
    path : path
        The workbook to write.
    catalog : Catalog, optional
        Default :func:`finsam.catalog.load_catalog`.

    Returns
    -------
    Path
        ``path``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .catalog import load_catalog

    catalog = catalog or load_catalog()
    bold = Font(bold=True)
    wb = Workbook()
    wb.remove(wb.active)
    for name, columns in TABLES.items():
        ws = wb.create_sheet(name)
        ws.append(columns)
        for cell in ws[1]:
            cell.font = bold
        for i, column in enumerate(columns):
            ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = max(10, len(column) + 4)
        ws.freeze_panes = "A2"
    ws = wb.create_sheet(META_SHEET)
    ws.append(["key", "value"])
    for cell in ws[1]:
        cell.font = bold
    for key in META_KEYS:
        ws.append([key, None])
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 50
    ws = wb.create_sheet(CODES_SHEET)
    for title, header, rows in _code_blocks(catalog):
        if ws.max_row > 1:
            ws.append([])
        ws.append([title])
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=12)
        ws.append(header)
        for cell in ws[ws.max_row]:
            cell.font = bold
        for row in rows:
            ws.append(row)
    for letter, width in zip("ABCDEFG", (26, 20, 10, 60, 12, 12, 28)):
        ws.column_dimensions[letter].width = width
    wb.properties.creator = "finsam"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    buffer = _io.BytesIO()
    wb.save(buffer)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_bytes(_deterministic_zip(buffer.getvalue()))
    return path
