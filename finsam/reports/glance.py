"""Overviews a reader takes in at a glance: comparison classes, the spine chart, the tartan rug.

Every indicator result compared with the country falls in one *comparison
class* (:func:`comparison_class`):

``higher`` / ``lower``
    the difference against the rest of the country is larger than the random
    uncertainty (``signif_national``), in that direction ("säkerställt");
``same``
    a comparison exists but the difference is not beyond noise;
``None``
    no comparison (withheld result, or no national figure).

The class decides colour *and* symbol (:data:`finsam.texts.CLASS_SYMBOL`), so
colour never carries meaning alone. NNS's ±margin label ("Högre", "Lägre",
"Varken högre eller lägre") is a different rule and stays as text beside it.
Only published rows are read; a withheld row has no class and no number.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import fmt
from ..codes import ALL_GROUPS, NATIONAL
from .common import shown

#: The comparison classes, in legend order.
CLASSES = ("higher", "same", "lower")


def comparison_class(row) -> str | None:
    """The comparison class of a results row (see the module docstring).

    Parameters
    ----------
    row : pandas.Series or None
        A row of the indicator (or question) results table.

    Returns
    -------
    str or None
        ``"higher"``, ``"lower"``, ``"same"`` or ``None`` (no comparison).
    """
    if not shown(row) or fmt.is_missing(row.get("diff_national")):
        return None
    if fmt.is_true(row.get("signif_national")):
        return "higher" if float(row["diff_national"]) > 0 else "lower"
    return "same"


@dataclass(frozen=True)
class SpineItem:
    """One indicator of a spine chart.

    ``share``, ``low``, ``high`` are the förbund's published key share and
    interval (``None`` when withheld, then ``note`` says why); ``national`` the
    national key share; ``spread`` the (min, max) of every förbund's published
    key share that year; ``cls`` the comparison class; ``label`` NNS's label
    with the displayed difference ("Högre +5,1 p.e."), empty without one.
    """

    indicator: int
    name: str
    share: float | None
    low: float | None
    high: float | None
    national: float | None
    spread: tuple[float, float] | None
    cls: str | None
    label: str = ""
    note: str = ""


def spreads(results, year: int, gender: str = "alla") -> dict:
    """Indicator → (min, max) of the förbund's published key shares of a year (the national row excluded)."""
    ind = results.indicator
    sel = ind.loc[(ind["year"] == year) & (ind["group"] == ALL_GROUPS) & (ind["gender"] == gender)
                  & (ind["forbund"] != NATIONAL) & ~ind["withheld"].astype(bool) & ind["key_share"].notna()]
    return {int(k): (float(g["key_share"].min()), float(g["key_share"].max()))
            for k, g in sel.groupby("indicator")}


def nns_label(row) -> str:
    """NNS's label and the displayed difference, e.g. "Högre +5,1 p.e." (empty without a comparison)."""
    label = row.get("national_label") if row is not None else None
    if not shown(row) or fmt.is_missing(row.get("diff_national")) or not isinstance(label, str) or not label:
        return ""
    return f"{label} {fmt.pp(row['diff_national'])}"


def spine_items(indicators, rows: dict, spread: dict, reason) -> list[SpineItem]:
    """The spine chart's items: one per indicator with a result or a reason.

    Parameters
    ----------
    indicators : list of (number, short name)
        Indicators measured by the questionnaires that year, in catalogue order.
    rows : dict
        Indicator number → results row (total, all groups) or None.
    spread : dict
        Indicator number → (min, max) of :func:`spreads`.
    reason : callable
        Indicator number → the short reason of a withheld (or missing) result.
    """
    out = []
    for number, name in indicators:
        row = rows.get(number)
        if not shown(row) or fmt.is_missing(row.get("key_share")):
            out.append(SpineItem(number, name, None, None, None, None, spread.get(number), None,
                                 note=reason(number)))
            continue
        nat = None if fmt.is_missing(row.get("national")) else float(row["national"])
        out.append(SpineItem(number, name, float(row["key_share"]), float(row["ci_low"]), float(row["ci_high"]),
                             nat, spread.get(number), comparison_class(row), nns_label(row)))
    return out


def tartan_frame(results, year: int) -> pd.DataFrame:
    """The tartan rug's cells: one row per förbund × indicator of a year (all groups, all genders).

    Columns ``forbund``, ``indicator``, ``withheld`` (bool), ``key_share``
    (missing when withheld), ``national_label`` and ``cls`` (comparison class,
    or None). Read from the results table, published rows only carry numbers.
    """
    ind = results.indicator
    sel = ind.loc[(ind["year"] == year) & (ind["group"] == ALL_GROUPS) & (ind["gender"] == "alla")
                  & (ind["forbund"] != NATIONAL)]
    out = pd.DataFrame({
        "forbund": sel["forbund"].astype(str).to_numpy(),
        "indicator": sel["indicator"].astype(int).to_numpy(),
        "withheld": sel["withheld"].astype(bool).to_numpy(),
    })
    out["key_share"] = [None if w else float(v) for w, v in zip(out["withheld"], sel["key_share"])]
    out["national_label"] = [None if w or not isinstance(v, str) else v
                             for w, v in zip(out["withheld"], sel["national_label"])]
    out["cls"] = [comparison_class(r) for _i, r in sel.iterrows()]
    return out.sort_values(["forbund", "indicator"], kind="mergesort").reset_index(drop=True)


class Footnotes:
    """Footnote marks in order of first use: the same text gets the same mark.

    >>> f = Footnotes(); f.mark("a"), f.mark("b"), f.mark("a")
    ('¹', '²', '¹')
    """

    _SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, text: str) -> str:
        """The mark of ``text`` (a superscript number), assigning the next one on first use."""
        if text not in self.texts:
            self.texts.append(text)
        return str(self.texts.index(text) + 1).translate(self._SUPERSCRIPT)

    def lines(self) -> list[str]:
        """``"¹ text"`` per footnote, in mark order."""
        return [f"{str(k + 1).translate(self._SUPERSCRIPT)} {t}" for k, t in enumerate(self.texts)]
