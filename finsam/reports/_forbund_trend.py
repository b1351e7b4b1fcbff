"""Utveckling över tid of a förbund report: small multiples and the table of every year, with series breaks."""

from __future__ import annotations

import pandas as pd

from .. import figures, fmt, tables, texts
from ..codes import ALL, ALL_GROUPS, NATIONAL
from ._forbund_state import ForbundReport
from .common import md as _md, shown as _shown


def trend(rep: ForbundReport) -> list:
    """Utveckling över tid: small multiples per indicator and the table of every year."""
    allind = rep.results.indicator
    sel = allind.loc[(allind["forbund"] == rep.forbund) & (allind["group"] == ALL_GROUPS)
                     & (allind["gender"] == ALL) & (allind["year"] <= rep.year)]
    nat = allind.loc[(allind["forbund"] == NATIONAL) & (allind["group"] == ALL_GROUPS)
                     & (allind["gender"] == ALL) & (allind["year"] <= rep.year)]
    years = sorted(int(y) for y in sel["year"].unique())
    if len(years) < 2:
        return [_md(f"{rep.name_md} har data bara för {rep.year}; utvecklingen över tid visas när det finns "
                    "fler mätår.")]
    panels, table_items, breaks_all = [], [], []
    for ind in rep.cv.indicators:
        rows = sel.loc[sel["indicator"] == ind.number]
        if rows.empty:
            continue
        shown_rows = rows.loc[~rows["withheld"].astype(bool)]
        pts = [(int(r["year"]), float(r["key_share"]), float(r["ci_low"]), float(r["ci_high"]))
               for _i, r in shown_rows.iterrows()]
        nrows = nat.loc[(nat["indicator"] == ind.number) & (nat["year"] >= years[0])
                        & ~nat["withheld"].astype(bool)]
        natp = [(int(r["year"]), float(r["key_share"])) for _i, r in nrows.iterrows()
                if int(r["year"]) not in rep.few_forbund_years]
        kinds = series_breaks(rep, rows, years)
        brk = tuple(sorted(kinds))
        breaks_all += [(ind.number, b, k) for b, k in sorted(kinds.items())]
        if pts:
            panels.append(figures.TrendPanel(f"{ind.number} {ind.short}", pts, natp, brk))
        by_year = {}
        for _i, r in rows.iterrows():
            y = int(r["year"])
            by_year[y] = (rep.reason(r["reason"]) if fmt.is_true(r["withheld"]) else fmt.pct(r["key_share"]))
            if y in kinds:
                by_year[y] = f"{_BREAK_MARKS[kinds[y]][0]} {by_year[y]}"
        table_items.append((ind.number, ind.short, by_year))
    out = []
    if panels:
        caption = (f"Nyckeltal per indikator {years[0]}–{years[-1]} med {fmt.level(rep.settings.confidence)} "
                   "konfidensintervall (blå) och rikssnittet (prickat)."
                   + (" Streckad röd linje: brott i serien (se tabellen)." if figures.has_breaks(panels) else ""))
        alt = (f"Små diagram, ett per indikator, med {rep.name}s nyckeltal {years[0]}–{years[-1]} och "
               f"rikssnittet. Värdena finns i tabellen under diagrammet.")
        out.append(figures.trend_grid(panels, years, caption=caption, alt=alt,
                                      confidence=rep.settings.confidence))
    out.append(tables.HTMLTable(tables.with_caption(
        tables.trend_table(table_items, years),
        f"**Tabell.** Nyckeltal per indikator och år, {rep.name}." + _breaks_text(breaks_all)), "Utveckling"))
    return out


#: Mark before a value after a break (:func:`series_breaks`) and what it means, said once under the table.
_BREAK_MARKS = texts.BREAK_MARKS


def series_breaks(rep: ForbundReport, rows: pd.DataFrame, years) -> dict:
    """Years from which an indicator's series is not comparable with the year before: year → kind.

    ``questions`` when the catalogue's question set changes; ``groups`` or
    ``other`` when both years are published but the förbund's pooled cells
    differ (other respondent groups, or other questions), so that the result
    has no previous-year comparison. ``rows``: the indicator's total rows of
    the förbund (all groups, all genders), one per year.
    """
    ind = int(rows["indicator"].iloc[0]) if len(rows) else None
    out = {b: "questions" for b in rep.cv.breaks(ind, years)} if ind is not None else {}
    by_year = {int(r["year"]): r for _i, r in rows.iterrows()}
    for y, r in by_year.items():
        prev = by_year.get(y - 1)
        if y in out or not _shown(r) or not _shown(prev) or not fmt.is_missing(r.get("diff_previous")):
            continue

        def groups(x):
            return {rep.cv.question_group.get(q, q) for q in str(x.get("questions", "")).split("|") if q}
        out[y] = "groups" if groups(r) != groups(prev) else "other"
    return out


def _breaks_text(breaks_all) -> str:
    """The one sentence explaining the break marks that occur (empty without breaks)."""
    kinds = {k for _i, _y, k in breaks_all}
    parts = []
    for mark in dict.fromkeys(m for m, _w in _BREAK_MARKS.values()):
        words = [w for k, (m, w) in _BREAK_MARKS.items() if m == mark and k in kinds]
        if words:
            parts.append(f"”{mark}” = {' eller '.join(words)}")
    if not parts:
        return ""
    return " " + "; ".join(parts) + ". " + texts.BREAK_CONSEQUENCE

