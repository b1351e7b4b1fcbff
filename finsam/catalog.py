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
questions.csv   question, group, number, text, scale, indicators, key, first_year, last_year,
                version, condition_question, condition_answer, source
                One row per question *version*. A question id may have several rows
                (a new number on the form, a new wording) with non-overlapping years.
                ``version`` is the wording version (1, 2, …): it changes whenever the
                text changes, however slightly, and only rows of the same id and the
                same version are compared across years (a comparison across a wording
                change is never made; settings.toml [comparison]). A row with the same
                version as the row before it must have the same text.
                ``indicators`` is ``|``-separated; an empty ``last_year`` means still in
                use. Conditional questions name the question and answer code that must
                precede them.
                ``key`` is the answer class this question contributes to its
                indicators' key share (``clearly_positive`` or ``yes``, the key class
                of its scale), or empty: the question is reported beside the indicator
                but not pooled into it. Like with like (issue 15): in one indicator and
                year every key question has the same class, and a conditional question
                is never a key question (its share is of another population).
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
        if row["key"] and row["scale"] in scales and row["key"] != cat.key_class(row["scale"]):
            problems.append(
                f"{where}, kolumn key: {row['key']!r} är inte nyckelklassen för skalan {row['scale']}"
                f" ({cat.key_class(row['scale'])})"
            )
        if row["key"] and row["condition_question"]:
            problems.append(f"{where}, kolumn key: en villkorad fråga kan inte ingå i indikatorns nyckeltal")
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
        ordered = rows.sort_values("first_year")
        for (v0, t0), (v1, t1) in zip(zip(ordered["version"], ordered["text"]),
                                       zip(ordered["version"].iloc[1:], ordered["text"].iloc[1:])):
            if v1 < v0 or (v1 == v0 and t1 != t0):
                problems.append(
                    f"questions.csv: fråga {qid} har ny formulering utan ny version (kolumn version)"
                    if v1 == v0 else f"questions.csv: fråga {qid} har fallande version"
                )
    # Like with like: one key class per indicator and year.
    keyed = q.loc[q["key"] != ""].explode("indicator_list")
    for year in sorted(set(q["first_year"]) | set(q["last_year"].dropna())):
        valid = keyed.loc[(keyed["first_year"] <= year) & (keyed["last_year"].isna() | (keyed["last_year"] >= year))]
        for ind, rows in valid.groupby("indicator_list"):
            if rows["key"].nunique() > 1:
                problems.append(
                    f"questions.csv: indikator {ind} blandar nyckelklasser år {year} "
                    f"({', '.join(sorted(set(rows['key'])))}); ange key bara för frågor med samma klass"
                )
    for scale, rows in cat.scales.groupby("scale"):
        bad = set(rows["class"]) - set(CLASSES)
        if bad:
            problems.append(f"scales.csv: skala {scale} har okända klasser {sorted(bad)}")
    if problems:
        raise CatalogError("Fel i frågekatalogen:\n" + "\n".join(problems))


def _int_or_na(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.replace("", None), errors="raise").astype("Int64")


def _default_key_and_version(q: pd.DataFrame, scales: pd.DataFrame) -> None:
    """Fill ``key`` and ``version`` in place when an older catalogue lacks the columns.

    Default ``key``: the scale's key class, empty for conditional questions;
    default ``version``: a new version at every change of text.
    """
    if "key" not in q.columns:
        yes_scales = set(scales.loc[scales["class"] == "yes", "scale"])
        key = q["scale"].map(lambda sc: "yes" if sc in yes_scales else "clearly_positive")
        q["key"] = key.where(q["condition_question"].fillna("") == "", "")
    if "version" not in q.columns:
        order = q.assign(_fy=q["first_year"].astype(int)).sort_values(["question", "_fy"], kind="stable")
        changed = order.groupby("question")["text"].transform(lambda t: (t != t.shift()).cumsum())
        q["version"] = changed.reindex(q.index).astype(str)


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
    _default_key_and_version(raw["questions"], scales)
    genders = raw["genders"].assign(code=lambda d: d["code"].astype(int))
    questions = raw["questions"].assign(
        number=lambda d: d["number"].astype(int),
        first_year=lambda d: d["first_year"].astype(int),
        last_year=lambda d: _int_or_na(d["last_year"]),
        condition_answer=lambda d: _int_or_na(d["condition_answer"]),
        version=lambda d: d["version"].astype(int),
        key=lambda d: d["key"].str.strip(),
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
