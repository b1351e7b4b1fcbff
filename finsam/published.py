"""Published figures transcribed from the source reports (``data/published/``).

These are the real, printed numbers from the NNS national report 2017 (seed 003)
and from local reports (000, 001, 002, 004). Tests use them to check that the
statistics code reproduces the published figures, and the demo generator uses
them as calibration targets. ``data/published/README.md`` describes every file,
its source and the ambiguities met while transcribing.

Every file has a ``source`` column. Integer columns are read as pandas'
nullable ``Int64`` so a missing (illegible or not printed) cell stays missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ._paths import PUBLISHED_DIR
from .errors import FinsamError


class PublishedDataError(FinsamError, ValueError):
    """A published-data file is missing, has wrong columns or unreadable values."""


@dataclass(frozen=True)
class _Spec:
    description: str
    columns: tuple[str, ...]
    ints: tuple[str, ...] = ()
    bools: tuple[str, ...] = ()


_PCT = ("negative_pct", "neutral_pct", "positive_pct", "clearly_positive_pct", "yes_pct", "no_pct",
        "response_rate_pct", "change_pp")

_SPECS: dict[str, _Spec] = {
    "nns2017_forbund": _Spec(
        "De 13 förbunden i den nationella mätningen 2017 med antal insatser (003 tabell 1).",
        ("nr", "forbund", "name", "insatser", "source"), ints=("nr", "insatser")),
    "nns2017_asked": _Spec(
        "Antal tillfrågade per förbund och respondentgrupp 2017 (003 tabell 1, lång form).",
        ("forbund", "group", "asked", "source"), ints=("asked",)),
    "nns2017_response": _Spec(
        "Tillfrågade, bortfall, svarsfrekvens och antal svar per respondentgrupp 2017 (003 tabell 2).",
        ("group", "asked", "bortfall", "response_rate_pct", "answered", "source"),
        ints=("asked", "bortfall", "response_rate_pct", "answered")),
    "nns2017_participants": _Spec(
        "Deltagarsvar efter kön, bortfall och undertäckning 2017 (003 tabell 3–4).",
        ("group", "asked", "answered", "utan_kon", "kvinna", "man", "ej_uppgett", "bortfall", "bortfall_pct",
         "unreachable", "unreachable_pct", "source"),
        ints=("asked", "answered", "utan_kon", "kvinna", "man", "ej_uppgett", "bortfall", "bortfall_pct",
              "unreachable", "unreachable_pct")),
    "nns2017_questions": _Spec(
        "Antal svar och andel klart positiva/ja per fråga och kön 2017 (003 tabell 5–10).",
        ("group", "question", "number", "gender", "n", "key_pct", "key_type", "source"),
        ints=("number", "n", "key_pct")),
    "trollhattan_2020_indicators": _Spec(
        "Trollhättan/Lilla Edet/Grästorp 2020: jämfört med rikssnittet och pil mot 2019 per indikator och kön (000).",
        ("indicator", "gender", "national_label", "trend", "source"), ints=("indicator",)),
    "sundsvall_2023": _Spec(
        "Sundsvall 2023: andelar per indikator, grupp och kön enligt OCR-texten; oläsligt = saknas (004).",
        ("indicator", "group", "question", "gender", "n", *_PCT, "source", "note"),
        ints=("indicator", "n", *_PCT)),
    "forbund_2024": _Spec(
        "De 29 förbund som deltog i insamlingen 2024 (001).",
        ("forbund", "name", "source")),
    "volumes": _Spec(
        "Publicerade volymer: antal förbund och enkäter nationellt och för enskilda förbund (003, 000, 001, 004, domain.md).",
        ("year", "scope", "forbund", "forbund_count", "questionnaires", "approximate", "source"),
        ints=("year", "forbund_count", "questionnaires"), bools=("approximate",)),
    "coachingteam_2019": _Spec(
        "Indikatorutvärdering 2019: antal svar per enhet och grupp (002).",
        ("unit", "group", "answered", "asked", "declined", "response_rate_pct", "source"),
        ints=("answered", "asked", "declined", "response_rate_pct")),
}

#: File name (without ``.csv``) → Swedish description.
PUBLISHED_FILES: dict[str, str] = {name: spec.description for name, spec in _SPECS.items()}


def list_published() -> list[str]:
    """Names of the published-data files, in the order of ``PUBLISHED_FILES``."""
    return list(PUBLISHED_FILES)


def _to_int(raw: pd.Series, name: str, column: str, problems: list[str]) -> pd.Series:
    stripped = raw.str.strip()
    ok = (stripped == "") | stripped.str.fullmatch(r"[+-]?\d+")
    for i in stripped.index[~ok]:
        problems.append(f"{name}.csv rad {i + 2}, kolumn {column}: {raw[i]!r} är inte ett heltal")
    values = [int(v) if good and v else None for v, good in zip(stripped, ok)]
    return pd.array(values, dtype="Int64")


def _to_bool(raw: pd.Series, name: str, column: str, problems: list[str]) -> pd.Series:
    mapping = {"true": True, "false": False, "": None}
    lowered = raw.str.strip().str.lower()
    for i in lowered.index[~lowered.isin(mapping)]:
        problems.append(f"{name}.csv rad {i + 2}, kolumn {column}: {raw[i]!r} är inte true/false")
    return pd.array([mapping.get(v) for v in lowered], dtype="boolean")


def load_published(name: str, directory: str | Path | None = None) -> pd.DataFrame:
    """Read one published-data file with typed columns.

    Parameters
    ----------
    name : str
        File name without ``.csv``, one of :data:`PUBLISHED_FILES`.
    directory : str or Path, optional
        Directory to read from; default ``data/published``.

    Returns
    -------
    pandas.DataFrame
        Integer columns as ``Int64`` (missing stays ``<NA>``), ``approximate`` as
        ``boolean``, everything else as strings with empty cells as ``<NA>``.

    Raises
    ------
    PublishedDataError
        Unknown name, missing file, wrong columns or unreadable values (all
        problems are listed in the message).
    """
    if name not in _SPECS:
        known = ", ".join(_SPECS)
        raise PublishedDataError(f"Okänd publicerad fil {name!r}. Kända filer: {known}")
    spec = _SPECS[name]
    path = Path(directory) if directory is not None else PUBLISHED_DIR
    path = path / f"{name}.csv"
    if not path.is_file():
        raise PublishedDataError(f"Filen {path} saknas")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    problems: list[str] = []
    if tuple(raw.columns) != spec.columns:
        raise PublishedDataError(
            f"{name}.csv: kolumnerna är {', '.join(raw.columns)}; förväntade {', '.join(spec.columns)}")
    out = pd.DataFrame(index=raw.index)
    for column in spec.columns:
        if column in spec.ints:
            out[column] = _to_int(raw[column], name, column, problems)
        elif column in spec.bools:
            out[column] = _to_bool(raw[column], name, column, problems)
        else:
            out[column] = raw[column].str.strip().replace("", None).astype("string")
    for i in out.index[out["source"].isna()]:
        problems.append(f"{name}.csv rad {i + 2}, kolumn source: källa saknas")
    if problems:
        raise PublishedDataError(f"Fel i publicerade data ({len(problems)} st):\n" + "\n".join(problems))
    return out
