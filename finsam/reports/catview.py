"""The catalogue as the reports look it up: indicators, group names, question sets and breaks."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import fmt
from ..catalog import Catalog, load_catalog


@dataclass(frozen=True)
class Indicator:
    """An indicator as the reports use it (from ``indicators.csv``)."""

    number: int
    name: str
    short: str
    questionnaire: bool
    first_year: int | None
    note: str


class CatalogView:
    """Catalogue look-ups used by the reports."""

    def __init__(self, catalog: Catalog) -> None:
        self.cat = catalog
        ind = catalog.indicators.sort_values("indicator")
        self.indicators = [
            Indicator(int(r.indicator), r.name, r.short_name, bool(r.questionnaire),
                       None if pd.isna(r.first_year) else int(r.first_year), r.note or "")
            for r in ind.itertuples()
        ]
        g = catalog.groups.set_index("group")
        self.group_name = dict(g["name"])
        self.group_short = dict(g["short_name"])
        self.participant = {k: bool(v) for k, v in g["participant"].items()}
        self.question_group = {}
        for qid, grp in zip(catalog.questions["question"], catalog.questions["group"]):
            self.question_group.setdefault(str(qid), str(grp))
        self.group_order = {k: int(v) for k, v in g["order"].items()}
        self._qsets: dict[tuple[int, int], frozenset] = {}
        self._vsets: dict[tuple[int, int], frozenset] = {}
        self._questions: dict[tuple[int, int], pd.DataFrame] = {}

    def questions(self, indicator: int, year: int) -> pd.DataFrame:
        """The indicator's question versions valid in ``year`` (looked up once per pair; do not modify)."""
        key = (indicator, year)
        if key not in self._questions:
            q = self.cat.questions_in(year)
            self._questions[key] = q.loc[q["indicator_list"].map(lambda xs: indicator in xs)]
        return self._questions[key]

    def question_set(self, indicator: int, year: int) -> frozenset:
        key = (indicator, year)
        if key not in self._qsets:
            self._qsets[key] = frozenset(self.questions(indicator, year)["question"])
        return self._qsets[key]

    def version_set(self, indicator: int, year: int) -> frozenset:
        """``question@version`` of the indicator's questions: a reworded question counts as a change."""
        key = (indicator, year)
        if key not in self._vsets:
            q = self.questions(indicator, year)
            self._vsets[key] = frozenset(q["question"] + "@" + q["version"].astype(str))
        return self._vsets[key]

    def breaks(self, indicator: int, years) -> tuple:
        """Years whose question set differs from the year before (both non-empty)."""
        out = []
        ys = sorted(years)
        for a, b in zip(ys, ys[1:]):
            if b != a + 1:
                continue
            qa, qb = self.version_set(indicator, a), self.version_set(indicator, b)
            if qa and qb and qa != qb:
                out.append(b)
        return tuple(out)

    def has_gender(self, indicator: int, year: int) -> bool:
        """Does the indicator have questions to groups with a gender variable that year?"""
        groups = self.cat.questions.set_index("question")["group"]
        return any(self.participant.get(groups[q] if isinstance(groups[q], str) else groups[q].iloc[0], False)
                   for q in self.question_set(indicator, year))

    def class_definitions(self) -> list[str]:
        """Sentences defining the answer classes per scale (from the catalogue)."""
        out = []
        names = {"frekvens": "Frekvensskalan", "omfattning": "Omfattningsskalan", "janej": "Ja/nej-frågor"}
        for scale, rows in self.cat.scales.groupby("scale", sort=True):
            by: dict[str, list[str]] = {}
            rows = rows.sort_values("code")
            for cls, label in zip(rows["class"], rows["label"]):
                by.setdefault(cls, []).append(label.lower())
            if scale == "janej":
                out.append("Ja/nej-frågor: nyckeltalet är andelen ja.")
                continue
            neg = fmt.join_list(by.get("negative", []))
            neu = fmt.join_list(by.get("neutral", []))
            cp = by.get("clearly_positive", [])
            pos = by.get("positive", []) + cp
            out.append(
                f"{names.get(scale, scale)}: negativt = {neg}; varken eller = {neu}; "
                f"positivt = {fmt.join_list(pos)}; klart positivt = {fmt.join_list(cp)}."
            )
        return out


_CATALOG_VIEWS: dict[str, CatalogView] = {}


def catalog_view() -> CatalogView:
    """The view of the shipped catalogue (built once per catalogue directory)."""
    cat = load_catalog()
    key = str(cat.directory)
    if key not in _CATALOG_VIEWS:
        _CATALOG_VIEWS[key] = CatalogView(cat)
    return _CATALOG_VIEWS[key]
