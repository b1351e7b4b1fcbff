"""Funnel plots: which förbund lie outside the control limits around the national share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import escape, figures, fmt
from ..codes import ALL_GROUPS
from ..stats import funnel_limits
from .catview import Indicator
from .common import Report, md as _md, present


def funnel_data(report: Report, ind: Indicator, ind_rows: pd.DataFrame, ind_nat: pd.DataFrame):
    """(points, national share, limits) of an indicator's funnel plot, or None without published results.

    Points are ``(label, n, share)`` of every förbund with a published total;
    limits are ``(coverage, n, low, high)`` for each of ``settings.funnel_limits``.
    """
    rows = ind_rows.loc[(ind_rows["indicator"] == ind.number) & (ind_rows["gender"] == "alla")
                        & (ind_rows["group"] == ALL_GROUPS) & ~ind_rows["withheld"].astype(bool)]
    nat = ind_nat.loc[(ind_nat["indicator"] == ind.number) & (ind_nat["gender"] == "alla")
                      & (ind_nat["group"] == ALL_GROUPS) & ~ind_nat["withheld"].astype(bool)]
    if rows.empty or nat.empty:
        return None
    p0 = float(nat.iloc[0]["key_share"])
    pts = [(report.forbund_label(r["forbund"]), float(r["n"]), float(r["key_share"])) for _i, r in rows.iterrows()]
    pts.sort(key=lambda p: (p[1], p[0]))
    nmax = max(p[1] for p in pts)
    grid = np.unique(np.concatenate([np.arange(1, 50, 1.0), np.linspace(50, max(60.0, nmax * 1.05), 200)]))
    lim = funnel_limits(p0, grid, report.settings.funnel_limits)
    limits = [(cov, part["n"].to_numpy(), part["low"].to_numpy(), part["high"].to_numpy())
              for cov, part in lim.groupby("coverage", sort=True)]
    return pts, p0, limits


def outliers(report: Report, ind: Indicator, ind_rows, ind_nat):
    """Förbund outside the outer funnel limits: ``(all, (higher, lower))``."""
    data = funnel_data(report, ind, ind_rows, ind_nat)
    if data is None:
        return [], []
    pts, p0, limits = data
    cov, grid, lower, upper = max(limits, key=lambda x: x[0])
    hi, lo = [], []
    lim = funnel_limits(p0, [n for _label, n, _share in pts], [cov])  # one vectorised call, in the points' order
    for (label, _n, share), low, high in zip(pts, lim["low"], lim["high"]):
        if share > high:
            hi.append(label)
        elif share < low:
            lo.append(label)
    return hi + lo, (hi, lo)


def funnel_section(report: Report, ind: Indicator, year: int, ind_rows, ind_nat, highlight=None) -> list:
    """Heading, sentence and funnel plot of one indicator and year."""
    out = [_md(f"### {ind.number}. {ind.short}")]
    data = funnel_data(report, ind, ind_rows, ind_nat)
    if data is None:
        out.append(_md(f"Inga redovisade resultat för indikatorn {year}."))
        return out
    pts, p0, limits = data
    outer = max(report.settings.funnel_limits)
    inner = min(report.settings.funnel_limits)
    _all, (hi, lo) = outliers(report, ind, ind_rows, ind_nat)
    ptxt = fmt.level(outer)
    itxt = fmt.level(inner)
    text = (f"Rikssnittet {year} är {fmt.pct(p0)} ({len(pts)} förbund med redovisade resultat). ")
    if not hi and not lo:
        text += f"Inget förbund ligger utanför {ptxt}-gränserna: skillnaderna mellan förbunden ryms inom slumpen."
    else:
        bits = present((hi, f"högre: {fmt.join_list(map(escape.markdown, hi))}"),
                       (lo, f"lägre: {fmt.join_list(map(escape.markdown, lo))}"))
        text += f"Utanför {ptxt}-gränserna ligger " + "; ".join(bits) + "."
    out.append(_md(text))
    caption = (f"Trattdiagram, indikator {ind.number} {year}: förbundens nyckeltal mot antal svar (effektivt n) "
               f"med {itxt}- och {ptxt}-gränser kring rikssnittet.")
    alt = (f"Trattdiagram för indikator {ind.number} {year}: {len(pts)} förbund, rikssnitt {fmt.pct(p0)}. "
           + (f"Utanför {ptxt}-gränserna: {fmt.join_list(hi + lo)}." if hi or lo
              else f"Alla förbund ligger inom {ptxt}-gränserna."))
    out.append(figures.funnel([(p[0], p[1], p[2]) for p in pts], p0, limits, caption=caption, alt=alt,
                              highlight=highlight, label_outside=outer))
    return out
