"""The survey catalogue: indicators, respondent groups, scales and questions.

The catalogue is data (``data/catalog/*.csv``); this module only loads and
checks it. A researcher adds a question by adding a row to ``questions.csv``.

Files
-----
areas.csv       area, order, name, source
indicators.csv  indicator, name, short_name, area, questionnaire, first_year, note, source
groups.csv      group, order, name, short_name, participant, aliases, source
scales.csv      scale, code, label, class, source
                class is one of negative, neutral, positive, clearly_positive, yes, no;
                "positive" shares count positive + clearly_positive.
genders.csv     gender, code, label, source
questions.csv   question, group, number, text, scale, indicators, first_year, last_year,
                condition_question, condition_answer, source
                One row per question *version*. A question id may have several rows
                (e.g. a new number on the form) with non-overlapping years; a changed
                wording gets a new id. ``indicators`` is ``|``-separated; an empty
                ``last_year`` means still in use. Conditional questions name the
                question and answer code that must precede them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ._paths import CATALOG_DIR
from .errors import FinsamError

#: Answer classes, in display order.
CLASSES = ("negative", "neutral", "positive", "clearly_positive", "yes", "no")
#: Gender views computed for every cell; "alla" includes every gender code.
GENDER_VIEWS = ("alla", "kvinna", "man")

_FILES = ("areas", "indicators", "groups", "scales", "genders", "questions")


def year_span(first, last, *, collapse: bool = False) -> str:
    """A question version's validity as text: ``2017–2021``, ``2022–`` (still in use).

    With ``collapse`` a single year is written once (``2017`` instead of ``2017–2017``).
    """
    last_text = "" if last is None or pd.isna(last) else str(int(last))
    if collapse and last_text == str(int(first)):
        return last_text
    return f"{int(first)}–{last_text}"


class CatalogError(FinsamError, ValueError):
    """The catalogue files are inconsistent."""


def _bool(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip().str.lower().isin({"true", "1", "ja", "yes"})


def _read(directory: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(directory / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")


@dataclass(frozen=True)
class Catalog:
    """The loaded survey catalogue.

    Attributes are DataFrames with typed columns; see the module docstring for
    the columns of each file.
    """

    areas: pd.DataFrame
    indicators: pd.DataFrame
    groups: pd.DataFrame
    scales: pd.DataFrame
    genders: pd.DataFrame
    questions: pd.DataFrame
    directory: Path

    # -- look-ups -------------------------------------------------------
    @property
    def group_ids(self) -> list[str]:
        return list(self.groups.sort_values("order")["group"])

    @property
    def gender_ids(self) -> list[str]:
        return list(self.genders["gender"])

    @property
    def question_ids(self) -> list[str]:
        return list(dict.fromkeys(self.questions["question"]))

    def group_name(self, group: str) -> str:
        row = self.groups.loc[self.groups["group"] == group]
        return row["name"].iloc[0] if len(row) else group

    def indicator_name(self, indicator: int) -> str:
        row = self.indicators.loc[self.indicators["indicator"] == int(indicator)]
        return row["name"].iloc[0]

    def scale_codes(self, scale: str) -> list[int]:
        return sorted(self.scales.loc[self.scales["scale"] == scale, "code"].tolist())

    def scale_classes(self, scale: str) -> dict[int, str]:
        """Map answer code → class for one scale."""
        rows = self.scales.loc[self.scales["scale"] == scale]
        return dict(zip(rows["code"], rows["class"]))

    def key_class(self, scale: str) -> str:
        """The class whose share is the key figure: ``yes`` or ``clearly_positive``."""
        classes = set(self.scale_classes(scale).values())
        return "yes" if "yes" in classes else "clearly_positive"

    def questions_in(self, year: int, group: str | None = None) -> pd.DataFrame:
        """Question versions valid in ``year`` (optionally for one group)."""
        q = self.questions
        mask = (q["first_year"] <= year) & (q["last_year"].isna() | (q["last_year"] >= year))
        if group is not None:
            mask &= q["group"] == group
        return q.loc[mask]

    def question_version(self, question: str, year: int) -> pd.Series | None:
        """The row of ``question`` valid in ``year``, or ``None``."""
        rows = self.questions_in(year)
        rows = rows.loc[rows["question"] == question]
        return rows.iloc[0] if len(rows) else None

    def question_indicators(self) -> pd.DataFrame:
        """One row per (question version, indicator): the long form of ``indicators``."""
        q = self.questions.explode("indicator_list").rename(columns={"indicator_list": "indicator"})
        q["indicator"] = q["indicator"].astype(int)
        return q.drop(columns=["indicators"]).reset_index(drop=True)

    def class_table(self) -> pd.DataFrame:
        """scale, code, class as a frame (for merging with responses)."""
        return self.scales[["scale", "code", "class"]]


def _check(cat: Catalog) -> None:
    problems: list[str] = []
    q = cat.questions
    scales = set(cat.scales["scale"])
    groups = set(cat.groups["group"])
    indicators = set(cat.indicators["indicator"])
    for i, row in q.iterrows():
        where = f"questions.csv rad {i + 2}"
        if row["group"] not in groups:
            problems.append(f"{where}, kolumn group: okänd grupp {row['group']!r}")
        if row["scale"] not in scales:
            problems.append(f"{where}, kolumn scale: okänd skala {row['scale']!r}")
        for ind in row["indicator_list"]:
            if ind not in indicators:
                problems.append(f"{where}, kolumn indicators: okänd indikator {ind}")
        if pd.notna(row["last_year"]) and row["last_year"] < row["first_year"]:
            problems.append(f"{where}, kolumn last_year: före first_year")
        if row["condition_question"] and row["condition_question"] not in set(q["question"]):
            problems.append(f"{where}, kolumn condition_question: okänd fråga {row['condition_question']!r}")
    # Versions of one id: same group and scale, non-overlapping years.
    for qid, rows in q.groupby("question"):
        if rows["group"].nunique() > 1 or rows["scale"].nunique() > 1:
            problems.append(f"questions.csv: fråga {qid} har versioner med olika grupp eller skala")
        spans = sorted(
            (r.first_year, r.last_year if pd.notna(r.last_year) else 10**6) for r in rows.itertuples()
        )
        for (a0, a1), (b0, _b1) in zip(spans, spans[1:]):
            if b0 <= a1:
                problems.append(f"questions.csv: fråga {qid} har överlappande giltighetsår")
    for scale, rows in cat.scales.groupby("scale"):
        bad = set(rows["class"]) - set(CLASSES)
        if bad:
            problems.append(f"scales.csv: skala {scale} har okända klasser {sorted(bad)}")
    if problems:
        raise CatalogError("Fel i frågekatalogen:\n" + "\n".join(problems))


def _int_or_na(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.replace("", None), errors="raise").astype("Int64")


@lru_cache(maxsize=8)
def _load(directory: str) -> Catalog:
    path = Path(directory)
    raw = {name: _read(path, name) for name in _FILES}
    areas = raw["areas"].assign(order=lambda d: d["order"].astype(int))
    indicators = raw["indicators"].assign(
        indicator=lambda d: d["indicator"].astype(int),
        questionnaire=lambda d: _bool(d["questionnaire"]),
        first_year=lambda d: _int_or_na(d["first_year"]),
    )
    groups = raw["groups"].assign(
        order=lambda d: d["order"].astype(int),
        participant=lambda d: _bool(d["participant"]),
        alias_list=lambda d: d["aliases"].str.split("|"),
    )
    scales = raw["scales"].assign(code=lambda d: d["code"].astype(int))
    genders = raw["genders"].assign(code=lambda d: d["code"].astype(int))
    questions = raw["questions"].assign(
        number=lambda d: d["number"].astype(int),
        first_year=lambda d: d["first_year"].astype(int),
        last_year=lambda d: _int_or_na(d["last_year"]),
        condition_answer=lambda d: _int_or_na(d["condition_answer"]),
        indicator_list=lambda d: d["indicators"].str.split("|").map(lambda xs: [int(x) for x in xs if x]),
    )
    cat = Catalog(areas, indicators, groups, scales, genders, questions, path)
    _check(cat)
    return cat


def load_catalog(directory: str | Path | None = None) -> Catalog:
    """Load (and cache) the survey catalogue.

    Parameters
    ----------
    directory : path, optional
        A directory with the catalogue CSV files; default ``data/catalog``.

    Raises
    ------
    CatalogError
        If the files are inconsistent (unknown scale, overlapping versions, ...).
    """
    return _load(str(Path(directory or CATALOG_DIR).resolve()))
