"""The national report of one year (``notebooks/riket.ipynb``).
"""

from __future__ import annotations

import pandas as pd

from .. import figures, fmt, tables, texts
from ..codes import ALL_TOTAL, NATIONAL, PARTICIPANTS_TOTAL, VIEWS
from ..errors import InputError
from . import glance
from .catview import Indicator
from .common import Report, md as _md, count as _count, rows_by as _rows_by
from .common import shown as _shown
from .common import about, notice  # noqa: F401 - sections of this report
from .funnel import funnel_section, outliers


def open_report(year, data_dir="", settings=None) -> "RiketReport":
    """The national report of one year.

    Parameters
    ----------
    year : int
    data_dir : str or Path
        Data directory or workbook; empty means the demo data.
    settings : Settings, dict, str or None
        The notebook's ``settings`` parameter (see :meth:`finsam.settings.Settings.load`).

    Raises
    ------
    InputError
        A year without data, or a data directory that does not exist.
    """
    return RiketReport(year, data_dir, settings)


class RiketReport(Report):
    """The state of ``notebooks/riket.ipynb``: one year's national and per-förbund results."""

    def __init__(self, year, data_dir, settings) -> None:
        super().__init__(data_dir, settings)
        try:
            self.year = int(year)
        except (TypeError, ValueError):
            raise InputError(f"Ogiltigt år {year!r}: ange ett årtal, t.ex. 2023.") from None
        years = sorted(int(y) for y in self.results.question["year"].unique())
        if self.year not in years:
            raise InputError(f"Inga data för {self.year} i {self.dataset.source}. År med data: "
                              f"{', '.join(str(y) for y in years)}.")
        r = self.results
        self.resp_all = r.responses(self.year, None)
        self.resp_nat = r.responses(self.year, NATIONAL)
        self.qnat = r.questions(self.year, NATIONAL)
        self.ind = r.indicators(self.year, None)
        self.ind_nat = r.indicators(self.year, NATIONAL)
        self.forbund_ids = sorted(self.resp_all["forbund"].unique(), key=lambda f: self.forbund_label(f))


def summary(rep: RiketReport) -> list:
    """Sammanfattning: participation, answers and response rate of the year."""
    tot = rep.resp_nat.set_index("group").loc[ALL_TOTAL]
    text = (f"Mätåret {rep.year} ({texts.period(rep.year)}) deltog {_count(len(rep.forbund_ids))}"
            f" samordningsförbund. Totalt tillfrågades {fmt.integer(tot['asked'])} personer och "
            f"{fmt.integer(tot['answered'])} enkäter kom in, en svarsfrekvens på {fmt.pct(tot['response_rate'])}. "
            "Resultaten gäller de förbund och insatser som deltog och kan inte generaliseras till alla "
            "samordningsförbund.")
    return [_md(text)]


def participation(rep: RiketReport) -> list:
    """Deltagande förbund: asked per förbund and respondent group."""
    groups = [g for g in sorted(rep.cv.group_order, key=rep.cv.group_order.get)
              if g in set(rep.resp_all["group"])]
    wide = rep.resp_all.pivot_table(index="forbund", columns="group", values="asked", aggfunc="sum")
    rows = []
    for f in rep.forbund_ids:
        vals = [fmt.integer(wide.at[f, g]) if g in wide.columns and not pd.isna(wide.at[f, g]) else fmt.MISSING
                for g in groups]
        rows.append((rep.forbund_label(f), vals))
    nat = rep.resp_nat.set_index("group")
    total = ("Totalt", [fmt.integer(nat.at[g, "asked"]) for g in groups])
    head = ["Samordningsförbund"] + [rep.cv.group_short.get(g, g) for g in groups]
    w = round(62 / max(1, len(groups)), 1)
    html = tables.matrix_table(head, rows, widths=[38] + [w] * len(groups), total=total)
    caption = f"**Tabell.** Deltagande förbund och antal tillfrågade per respondentgrupp {rep.year}."
    return [tables.HTMLTable(tables.with_caption(html, caption), "Deltagande förbund")]


def response(rep: RiketReport) -> list:
    """Svarsfrekvens och bortfall per respondent group, and answers by gender."""
    rows = [(r["group_name"], r, r["group"] in (PARTICIPANTS_TOTAL, ALL_TOTAL))
            for _i, r in rep.resp_nat.iterrows()]
    caption = (f"**Tabell.** Tillfrågade, bortfall, svarsfrekvens och antal svar per respondentgrupp {rep.year} "
               "(alla deltagande förbund).")
    out = [tables.HTMLTable(tables.with_caption(tables.response_table(rows, None), caption), "Svarsfrekvens")]
    part = [(r["group_name"], r) for _i, r in rep.resp_nat.iterrows()
            if rep.cv.participant.get(r["group"], False) or r["group"] == PARTICIPANTS_TOTAL]
    if part:
        out.append(tables.HTMLTable(tables.with_caption(
            tables.gender_answers_table(part), "**Tabell.** Deltagarnas enkätsvar efter bakgrundsvariabeln kön."), "Kön"))
    return out


def questions(rep: RiketReport) -> list:
    """National shares per question and group, with intervals and gender."""
    out = []
    q = rep.qnat.sort_values(["group_order", "number", "question"], kind="mergesort")
    for group, cells in q.groupby("group", sort=False):
        rows = []
        for (_qid,), cell in cells.groupby(["question"], sort=False):
            views = _rows_by(cell, "gender")
            first = cell.iloc[0]
            vals = []
            for v in VIEWS:
                r = views.get(v)
                if _shown(r):
                    vals.append(f"{fmt.pct_interval(r['key_share'], r['ci_low'], r['ci_high'])}\n"
                                f"{fmt.n_label(r['n'])}")
                elif v != "alla" and not rep.cv.participant.get(group, False):
                    vals.append(fmt.MISSING)
                else:
                    vals.append(rep.reason(r.get("reason") if r is not None else "no_answers"))
            kind = "ja" if first["scale"] == "janej" else "klart positiva"
            rows.append((f"Fråga {int(first['number'])} (ind. {first['indicator'].replace('|', ', ')}, {kind}): "
                         f"{first['text']}", vals))
        head = ["Fråga", "Alla", "Kvinnor", "Män"]
        html = tables.matrix_table(head, rows, widths=[46, 18, 18, 18])
        out += [_md(f"### {rep.cv.group_name.get(group, group)}"),
                tables.HTMLTable(html, rep.cv.group_name.get(group, group))]
    return out


def funnel(rep: RiketReport, ind: Indicator) -> list:
    """One indicator's funnel plot of the year, with the förbund outside the limits named."""
    return funnel_section(rep, ind, rep.year, rep.ind, rep.ind_nat)


def funnel_indicators(rep: RiketReport) -> list[Indicator]:
    """The indicators with a funnel plot: questionnaire indicators measured this year."""
    return [ind for ind in rep.cv.indicators
            if ind.questionnaire and (ind.first_year is None or rep.year >= ind.first_year)]


def funnels(rep: RiketReport) -> list[list]:
    """The funnel section of every indicator in :func:`funnel_indicators`."""
    return [funnel(rep, ind) for ind in funnel_indicators(rep)]


def tartan_cells(rep: RiketReport) -> tuple[list[str], list[int], dict]:
    """The tartan rug's data: förbund ids (rows), indicator numbers (columns) and cells.

    Cells map (förbund id, indicator) → comparison class (``"higher"``,
    ``"same"``, ``"lower"``), ``"withheld"`` or ``None`` (published without a
    national comparison); a förbund without any result for an indicator has no cell.
    """
    inds = [i.number for i in funnel_indicators(rep)]
    frame = glance.tartan_frame(rep.results, rep.year)
    frame = frame.loc[frame["indicator"].isin(inds)]
    cells = {(r.forbund, int(r.indicator)): ("withheld" if r.withheld else r.cls) for r in frame.itertuples()}
    rows = [f for f in rep.forbund_ids if any((f, i) in cells for i in inds)]
    return rows, inds, cells


def tartan(rep: RiketReport) -> list:
    """Förbunden jämförda med riket: the tartan rug (förbund × indicators), with its text and alt text."""
    rows, inds, cells = tartan_cells(rep)
    if not rows:
        return [_md(f"Inga förbund har redovisade resultat {rep.year}.")]
    words = texts.CLASS_WORD
    per_ind = []
    for i in inds:
        vals = [cells.get((f, i), "missing") for f in rows]
        parts = [f"{vals.count(c)} {words[c]}" for c in glance.CLASSES if vals.count(c)]
        if vals.count("withheld"):
            parts.append(f"{vals.count('withheld')} dolda")
        per_ind.append(f"indikator {i}: " + ", ".join(parts))
    alt = (f"Rutnät med {len(rows)} förbund (rader) och {len(inds)} indikatorer (kolumner) {rep.year}; varje ruta "
           "visar om förbundet ligger säkerställt högre, lägre eller utan säkerställd skillnad mot resten av landet. "
           + "; ".join(per_ind) + ".")
    caption = (f"Förbunden jämförda med resten av landet {rep.year}, indikator för indikator. Färg och symbol: "
               + ", ".join(f"{texts.CLASS_SYMBOL[c]} {words[c]}" for c in glance.CLASSES)
               + f"; × dolt resultat; {texts.NO_CLASS_SYMBOL} ingen jämförelse; tom ruta: inga svar.")
    grid = {(a, b): cells[(f, i)] for a, f in enumerate(rows) for b, i in enumerate(inds) if (f, i) in cells}
    fig = figures.tartan([rep.forbund_label(f) for f in rows], [str(i) for i in inds], grid, caption=caption,
                         alt=alt, class_words=words, withheld_label="dolt", none_label="ingen jämförelse")
    text = ("Varje rad är ett förbund och varje kolumn en indikator (numren som i indikatorlistan). En ruta är "
            "färgad och märkt när förbundets nyckeltal skiljer sig från resten av landet mer än den slumpmässiga "
            "osäkerheten; en grå ring betyder att skillnaden ryms inom slumpen. Dolda resultat är streckade.")
    return [_md(text), fig]


def check_summary(rep: RiketReport) -> str:
    """A compact deterministic summary (compared by nbval and the tests)."""
    tot = rep.resp_nat.set_index("group").loc[ALL_TOTAL]
    shown = rep.ind_nat.loc[~rep.ind_nat["withheld"].astype(bool) & (rep.ind_nat["gender"] == "alla")]
    outside = 0
    for ind in rep.cv.indicators:
        outside += len(outliers(rep, ind, rep.ind, rep.ind_nat)[0])
    return (f"riket {rep.year}: {len(rep.forbund_ids)} förbund, {int(tot['asked'])} tillfrågade, "
            f"{int(tot['answered'])} svar; {len(shown)} indikatorer; {outside} förbund×indikator utanför "
            f"{fmt.level(max(rep.settings.funnel_limits))}-gränserna")
