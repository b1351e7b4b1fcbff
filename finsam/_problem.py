"""One problem in the input data, located by file (and sheet), row and column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

T = TypeVar("T")

#: At most this many problems of one kind in one file (or sheet) are listed one by one.
MOST_LISTED = 20


def bounded(items: list[T], rest: Callable[[int], T], most: int = MOST_LISTED) -> list[T]:
    """The first ``most`` items, then ``rest(n)`` standing for the ``n`` left out (messages of bounded count)."""
    return items if len(items) <= most else items[:most] + [rest(len(items) - most)]


@dataclass(frozen=True)
class Problem:
    """One problem in the input, located by file (and sheet), row and column.

    ``row`` follows the module's convention (header = 1); ``None`` when the
    problem concerns the whole file or column.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    sheet: str | None = None

    def __str__(self) -> str:
        head = self.file + (f", blad {self.sheet}" if self.sheet else "")
        if self.row is not None:
            head += (", " if self.sheet else " ") + f"rad {self.row}"
        if self.column:
            head += f", kolumn {self.column}"
        return f"{head}: {self.message}"


def _spans_text(rows: list[int], most: int = 5) -> str:
    """Row numbers as spans: ``rad 2–69`` or ``rader 2, 5–7, 9 …``."""
    spans: list[list[int]] = []
    for r in sorted(set(rows)):
        if spans and r == spans[-1][1] + 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in spans[:most]]
    return ("rad " if len(rows) == 1 or len(spans) == 1 else "rader ") + ", ".join(parts) + (
        " …" if len(spans) > most else "")


def grouped_problems(problems: list[Problem]) -> list[str]:
    """One line per kind of problem: identical messages in the same file and column are grouped.

    ``okänd könskod 'Kvinna'`` on 68 rows becomes one line
    ``responses.csv, kolumn gender: okänd könskod 'Kvinna' … på 68 rader: rad 2–69``.
    """
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.sheet, p.column, p.message), []).append(p)
    lines = []
    for (file, sheet, column, message), items in groups.items():
        rows = [p.row for p in items if p.row is not None]
        if len(items) == 1 or len(rows) != len(items):
            lines += [str(p) for p in items]
            continue
        head = file + (f", blad {sheet}" if sheet else "") + (f", kolumn {column}" if column else "")
        lines.append(f"{head}: {message} på {len(rows)} rader: {_spans_text(rows)}")
    return lines
