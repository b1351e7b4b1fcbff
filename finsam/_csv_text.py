"""CSV files as text: decoding (UTF-8 only, with the usual mistakes named), separators, records.

Every problem names the file and the line (``rad``) as a text editor shows it.
"""

from __future__ import annotations

import csv
import io as _io

import numpy as np
import pandas as pd

from ._problem import Problem, bounded


def _decode(data: bytes, file: str) -> tuple[str, list[Problem]]:
    """Decode UTF-8 (BOM optional); undecodable lines, NUL bytes and inner BOMs become problems."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "", [Problem(file, None, None, 'filen är sparad som UTF-16 ("Unicode-text"), inte UTF-8; '
                                              'spara den i Excel som "CSV UTF-8 (kommaavgränsad)"')]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_lines(data, file)
    return _inner_marks(text, file)


def _lines_with(text: str, mark: str) -> list[int]:
    """Line numbers (1-based) of the lines of ``text`` that contain ``mark``."""
    if mark not in text:
        return []
    return [n for n, line in enumerate(text.split("\n"), start=1) if mark in line]


def _bounded(file: str, numbers: list[int], message: str, rest: str) -> list[Problem]:
    """One problem per line (a bounded count of them), then one that counts the rest."""
    return bounded([Problem(file, n, None, message) for n in numbers],
                   lambda n: Problem(file, None, None, f"ytterligare {n} {rest}"))


def _inner_marks(text: str, file: str) -> tuple[str, list[Problem]]:
    """NUL bytes and byte order marks inside the text: problems with their rows; the marks are dropped."""
    problems = _bounded(
        file, _lines_with(text, "\x00"),
        "raden innehåller ett NUL-tecken (byte 0x00): filen är skadad eller inte en textfil; "
        'öppna den i Excel och spara den igen som "CSV UTF-8"', "rader innehåller NUL-tecken")
    problems += _bounded(
        file, _lines_with(text, "\ufeff"),
        "ett BOM-tecken (U+FEFF) står mitt i filen: filer har troligen klistrats ihop; "
        "ta bort tecknet och en upprepad rubrikrad", "rader innehåller BOM-tecken")
    return text.replace("\ufeff", ""), problems


def _decode_lines(data: bytes, file: str) -> tuple[str, list[Problem]]:
    """Undecodable UTF-8: a problem per bad line; the text with replacement characters."""
    bad = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as err:
            bad.append((number, line[err.start : err.start + 1].hex()))
    problems = bounded(
        [Problem(file, number, None, f"texten är inte UTF-8 (byte 0x{byte}); spara filen som \"CSV UTF-8\"")
         for number, byte in bad],
        lambda n: Problem(file, None, None, f"ytterligare {n} rader är inte UTF-8"))
    return data.decode("utf-8", errors="replace"), problems


def _sniff_separator(text: str) -> str:
    """``;`` if the header line has more semicolons than commas, else ``,``."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _mixed_separators(text: str, sep: str, file: str) -> tuple[str, list[Problem]]:
    """Rows written with the other separator (``;`` in a ``,`` file or the reverse) become problems.

    Such a row would read as one long first field; it is blanked instead (its
    line stays, so later row numbers are unchanged) and named once.
    """
    other = ";" if sep == "," else ","
    if other not in text:
        return text, []
    lines = text.split("\n")
    width = lines[0].count(sep) + 1
    if width < 2:
        return text, []
    bad = [n for n, line in enumerate(lines[1:], start=2)
           if '"' not in line and line.count(sep) < width - 1 and line.count(other) >= width - 1]
    if not bad:
        return text, []
    for n in bad:
        lines[n - 1] = ""
    message = (f"raden har '{other}' som avgränsare men rubrikraden '{sep}' (blandade avgränsare); "
               "spara filen igen så att alla rader har samma avgränsare")
    return "\n".join(lines), _bounded(file, bad, message, "rader har den andra avgränsaren")


def _parse_csv_fast(text: str, sep: str):
    """Parse with pandas' C parser; ``None`` if row numbers would not be exact."""
    try:
        df = pd.read_csv(
            _io.StringIO(text), sep=sep, header=None, dtype=object, na_filter=False,
            skip_blank_lines=False, engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if len(df) != lines or len(df) == 0:
        return None  # a quoted field spans lines (or odd line endings): use the slow path
    values = df.to_numpy(dtype=object)
    header = [str(v) for v in values[0]]
    body = values[1:]
    columns = [[str(v).strip() for v in body[:, i]] for i in range(body.shape[1])]
    keep = np.zeros(len(body), dtype=bool)
    for col in columns:
        keep |= np.array(col, dtype=object) != ""
    numbers = (np.arange(len(body)) + 2)[keep].tolist()
    if not keep.all():
        columns = [[v for v, k in zip(col, keep) if k] for col in columns]
    return header, columns, numbers


def _csv_records(text: str, sep: str, file: str, problems: list[Problem]):
    """``(first line, cells)`` of each CSV record; a malformed record ends it with a problem."""
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=sep)
    last_line = 0
    try:
        for record in reader:
            start, last_line = last_line + 1, reader.line_num
            yield start, record
    except csv.Error as err:
        problems.append(Problem(file, last_line + 1, None, f"CSV-formatet är fel ({err})"))
