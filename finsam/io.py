"""Reading "the shared aggregates": a data directory of CSV files or one .xlsx workbook.

The format is a public contract (see ``docs`` in README):

forbund.csv        forbund, name
responses.csv      year, forbund, group, question, gender, answer, count
participation.csv  year, forbund, group, asked, unreachable, answered,
                   answered_kvinna, answered_man, answered_ej_uppgett, answered_utan_kon
dataset.toml       optional: [dataset] name, synthetic (bool), source, description

NOTE: minimal first version (no validation yet); ``load_dataset`` is the API.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ._paths import DEMO_DIR

TABLES = {
    "forbund": ["forbund", "name"],
    "responses": ["year", "forbund", "group", "question", "gender", "answer", "count"],
    "participation": [
        "year", "forbund", "group", "asked", "unreachable", "answered",
        "answered_kvinna", "answered_man", "answered_ej_uppgett", "answered_utan_kon",
    ],
}
INT_COLUMNS = {
    "forbund": [],
    "responses": ["year", "answer", "count"],
    "participation": TABLES["participation"][:1] + TABLES["participation"][3:],
}


@dataclass
class Dataset:
    """The three tables of a data directory plus its metadata."""

    forbund: pd.DataFrame
    responses: pd.DataFrame
    participation: pd.DataFrame
    meta: dict = field(default_factory=dict)
    source: Path | None = None

    @property
    def synthetic(self) -> bool:
        return bool(self.meta.get("synthetic", False))

    @property
    def years(self) -> list[int]:
        return sorted(set(self.responses["year"]) | set(self.participation["year"]))

    def forbund_name(self, forbund: str) -> str:
        row = self.forbund.loc[self.forbund["forbund"] == forbund, "name"]
        return row.iloc[0] if len(row) else forbund


def default_data_dir() -> Path:
    """The shipped synthetic demo data."""
    return DEMO_DIR


def read_meta(path: Path) -> dict:
    f = path / "dataset.toml"
    if not f.is_file():
        return {}
    with open(f, "rb") as fh:
        return tomllib.load(fh).get("dataset", {})


def load_dataset(path: str | Path | None = None, *, validate: bool = True) -> Dataset:
    """Load a data directory (or .xlsx workbook); ``None`` means the demo data."""
    path = Path(path) if path is not None else default_data_dir()
    tables = {}
    for name, cols in TABLES.items():
        df = pd.read_csv(path / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=None, engine="python")
        for c in INT_COLUMNS[name]:
            df[c] = df[c].astype(int)
        tables[name] = df[cols]
    return Dataset(**tables, meta=read_meta(path), source=path)
