"""What openpyxl's read-only mode does not show: merged cells and formulas without a saved value.

Both read as empty cells, so without these problems the user would only see
"värdet saknas" without the cause. The sheet's XML is searched once (it is
already in the workbook's zip archive that openpyxl holds open).
"""

from __future__ import annotations

import html
import re

from ._problem import bounded

#: Characters of a formula shown in a problem.
FORMULA_CHARS = 40

_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+\d+))?"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]+</(?:\w+:)?v>")


def _column_index(letters: bytes) -> int:
    """``A`` → 0, ``Z`` → 25, ``AA`` → 26."""
    n = 0
    for ch in letters.decode("ascii"):
        n = n * 26 + ord(ch) - 64
    return n - 1


def _column_name(letters: bytes, header: list[str]) -> str:
    """The column's header name where there is one, else its letter (``kolumn C``)."""
    i = _column_index(letters)
    name = header[i].strip() if i < len(header) else ""
    return name or letters.decode("ascii")


def _sheet_xml(wb, ws) -> bytes:
    path = getattr(ws, "_worksheet_path", None)
    archive = getattr(wb, "_archive", None)
    if not path or archive is None:
        return b""
    try:
        return archive.read(path)
    except (KeyError, OSError, ValueError):
        return b""


#: One finding: (row, column, Swedish message); row and column are None for a count of the rest.
Finding = tuple


def _bounded(found: list[Finding], rest: str) -> list[Finding]:
    return bounded(found, lambda n: (None, None, f"ytterligare {n} {rest}"))


def cell_problems(wb, ws, header: list[str]) -> list[Finding]:
    """Merged cells and formula cells without a saved value in one sheet: (row, column, message) each."""
    xml = _sheet_xml(wb, ws)
    merged = []
    for letters, row, end in _MERGE.findall(xml):
        span = f"{letters.decode()}{row.decode()}" + (f":{end.decode()}" if end else "")
        merged.append((
            int(row), _column_name(letters, header),
            f"cellerna {span} är sammanfogade; dela upp dem (Excel: Start → Sammanfoga och centrera → "
            "Dela upp celler) och skriv värdet i varje cell"))
    formulas = []
    if b"<f" in xml or b":f" in xml:
        for attrs, body in _CELL.findall(xml):
            formula = _FORMULA.search(body or b"")
            ref = _REF.search(attrs)
            if formula is None or ref is None or _VALUE.search(body):
                continue
            text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace")).strip()
            shown = f" (={text[:FORMULA_CHARS]}{'…' if len(text) > FORMULA_CHARS else ''})" if text else ""
            formulas.append((
                int(ref.group(2)), _column_name(ref.group(1), header),
                f"cellen {ref.group(1).decode()}{ref.group(2).decode()} har en formel{shown} utan sparat värde; "
                "öppna arbetsboken i Excel och spara den (då sparas värdet), eller klistra in värdena som värden"))
    return _bounded(merged, "sammanfogade celler") + _bounded(formulas, "formler utan sparat värde")
