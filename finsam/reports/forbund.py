"""The report of one förbund and year (``notebooks/forbund.ipynb``).

The template calls the section functions of this module. The sections live in
private modules, one per part of the report, and are re-exported here:

* :mod:`._forbund_state`: :class:`ForbundReport` and the reasons for a missing result or comparison;
* :mod:`._forbund_summary`: Sammanfattning (volumes, Figur 1, Tabell 1 and its legend, the sentences);
* :mod:`._forbund_indicators`: Resultat per indikator (question tables and bar charts);
* :mod:`._forbund_trend`: Utveckling över tid (small multiples, the table of every year, series breaks);

and this module keeps Svarsfrekvens, Om siffrorna and the check summary.
"""

from __future__ import annotations

import pandas as pd

from .. import fmt, tables, texts
from . import glance  # noqa: F401 - the Footnotes of overview_table
from ..codes import ALL, ALL_TOTAL, ARROW_DOWN, ARROW_FLAT, ARROW_UP, LABEL_HIGHER, LABEL_LOWER, LABEL_SAME, PARTICIPANTS_TOTAL
from ._forbund_indicators import indicator_intro, indicator_section, indicator_sections, indicators
from ._forbund_state import ForbundReport, comparable as _comparable, indicator_reason, no_previous_text
from ._forbund_state import trend_footnote, trend_note, trend_reason
from ._forbund_summary import _overview_legend, _sentences, _volume_text  # noqa: F401 - read by the tests
from ._forbund_summary import overview_items, overview_table
from ._forbund_summary import spine_chart, spine_items, summary
from ._forbund_trend import series_breaks, trend
from .common import md as _md, notice  # noqa: F401 - a section of this report
from .common import shown as _shown
from .method import method_text

__all__ = ["ForbundReport", "about", "check_summary", "indicator_intro", "indicator_reason", "indicator_section",
           "indicator_sections", "indicators", "no_previous_text", "notice", "open_report", "overview_items",
           "overview_table", "response", "series_breaks", "spine_chart", "spine_items", "summary", "trend",
           "trend_footnote", "trend_note", "trend_reason", "withheld_cells"]


def open_report(forbund, year, data_dir="", settings=None) -> "ForbundReport":
    """The report of one förbund and year.

    Parameters
    ----------
    forbund : str
        The förbund's id.
    year : int
    data_dir : str or Path
        Data directory or workbook; empty means the demo data.
    settings : Settings, dict, str or None
        The notebook's ``settings`` parameter (see :meth:`finsam.settings.Settings.load`).

    Raises
    ------
    InputError
        An unknown förbund, a year without its data, or a data directory that does not exist.
    """
    return ForbundReport(forbund, year, data_dir, settings)


# -- Svarsfrekvens och bortfall ----------------------------------------------------
def response(rep: ForbundReport) -> list:
    """Svarsfrekvens och bortfall per respondent group, against the nation, and answers by gender."""
    resp = rep.resp
    nat = None if rep.no_national else {r["group_name"]: r["response_rate"] for _i, r in rep.resp_nat.iterrows()}
    rows = []
    for _i, r in resp.iterrows():
        bold = r["group"] in (PARTICIPANTS_TOTAL, ALL_TOTAL)
        rows.append((r["group_name"], r, bold))
    out = [
        tables.HTMLTable(tables.with_caption(
            tables.response_table(rows, nat),
            f"**Tabell.** Tillfrågade, bortfall och svar per respondentgrupp {rep.year}, {rep.name} "
            "jämfört med riket. Bortfall = tillfrågade som inte svarat (inklusive ej nåbara). En enkät räknas "
            "som besvarad om minst en fråga är besvarad."), "Svarsfrekvens"),
    ]
    part = [(r["group_name"], r) for _i, r in resp.iterrows()
            if rep.cv.participant.get(r["group"], False) or r["group"] == PARTICIPANTS_TOTAL]
    if part:
        out.append(tables.HTMLTable(tables.with_caption(
            tables.gender_answers_table(part), "**Tabell.** Deltagarnas enkätsvar efter bakgrundsvariabeln kön."), "Kön"))
    return out


# -- Om siffrorna ---------------------------------------------------------------------
def about(rep: ForbundReport) -> list:
    """Om siffrorna: the method text and the list of this report's withheld cells."""
    return [_md(method_text(rep.settings, rep.cv)), _md(_withheld_text(rep))]


def withheld_cells(rep: ForbundReport) -> pd.DataFrame:
    """This report's withheld question cells (implied ones left out, see module doc)."""
    q = rep.q.loc[rep.q["withheld"].astype(bool)]
    keep = []
    alla_withheld = set(rep.q.loc[(rep.q["gender"] == ALL) & rep.q["withheld"].astype(bool),
                                   "question"].astype(str))
    for _i, r in q.iterrows():
        if r["gender"] != ALL:
            if not rep.cv.participant.get(r["group"], False) or str(r["question"]) in alla_withheld:
                continue
        keep.append(r)
    return pd.DataFrame(keep)


def _withheld_text(rep: ForbundReport) -> str:
    w = withheld_cells(rep)
    if w.empty:
        return "**Dolda uppgifter i den här rapporten:** inga."
    lines = ["**Dolda uppgifter i den här rapporten**, efter skäl:", ""]
    for code, cells in w.groupby("reason", sort=True):
        items = {}
        for _i, r in cells.iterrows():
            key = f"{rep.cv.group_name.get(r['group'], r['group'])} fråga {int(r['number'])}"
            items.setdefault(key, []).append(texts.VIEW_WORD[r["gender"]])
        desc = "; ".join(f"{k} ({', '.join(v)})" for k, v in items.items())
        lines.append(f"- {rep.long_reason(code)} Gäller: {desc}.")
    return "\n".join(lines)


# -- check summary (nbval) -------------------------------------------------------------
def check_summary(rep: ForbundReport) -> str:
    """A compact deterministic summary (compared by nbval and the tests)."""
    comp = _comparable(rep)
    lab = [r["national_label"] for _i, r in comp]
    sig_up = sum(fmt.is_true(r.get("signif_national")) and r["diff_national"] > 0 for _i, r in comp)
    sig_dn = sum(fmt.is_true(r.get("signif_national")) and r["diff_national"] < 0 for _i, r in comp)
    shown_all = [rep.ind_rows.get((i.number, ALL)) for i in rep.cv.indicators]
    trends = [r["trend"] for r in shown_all if _shown(r) and isinstance(r.get("trend"), str)]
    return (
        f"{rep.forbund} {rep.year}: {sum(_shown(r) for r in shown_all)} indikatorer med resultat; "
        f"mot riket {lab.count(LABEL_HIGHER)} högre ({sig_up} säkerställt), {lab.count(LABEL_LOWER)} lägre "
        f"({sig_dn} säkerställt), {lab.count(LABEL_SAME)} varken; "
        + (f"mot {rep.prev_year} " + " ".join(f"{a}{trends.count(a)}" for a in (ARROW_UP, ARROW_FLAT, ARROW_DOWN)) + "; "
           if rep.has_prev else "ingen jämförelse med föregående år; ")
        + f"{len(withheld_cells(rep))} dolda celler"
    )
