"""The page of one indicator across förbund and years (``notebooks/indikator.ipynb``).
"""

from __future__ import annotations


from ..catalog import year_span
from .. import fmt, tables, texts
from ..codes import ALL_GROUPS, NATIONAL
from ..errors import InputError
from .common import Report, md as _md, rows_by as _rows_by
from .common import shown as _shown
from .common import about, notice  # noqa: F401 - sections of this report
from .funnel import funnel_section


def open_report(indicator, data_dir="", settings=None) -> "IndikatorReport":
    """The page of one indicator across förbund and years.

    Parameters
    ----------
    indicator : int
    data_dir : str or Path
        Data directory or workbook; empty means the demo data.
    settings : Settings, dict, str or None
        The notebook's ``settings`` parameter (see :meth:`finsam.settings.Settings.load`).

    Raises
    ------
    InputError
        An unknown indicator, or a data directory that does not exist.
    """
    return IndikatorReport(indicator, data_dir, settings)


class IndikatorReport(Report):
    """The state of ``notebooks/indikator.ipynb``: one indicator's rows over förbund and years."""

    def __init__(self, indicator, data_dir, settings) -> None:
        super().__init__(data_dir, settings)
        numbers = [i.number for i in self.cv.indicators]
        try:
            number = int(indicator)
        except (TypeError, ValueError):
            number = None
        if number not in numbers:
            raise InputError(f"Okänd indikator {indicator!r}. Indikatorer som finns: "
                              f"{', '.join(str(n) for n in numbers)}.")
        self.ind = next(i for i in self.cv.indicators if i.number == number)
        allind = self.results.indicator
        self.rows = allind.loc[(allind["indicator"] == number) & (allind["group"] == ALL_GROUPS)
                               & (allind["gender"] == "alla")]
        self.years = sorted(int(y) for y in self.rows["year"].unique())


def summary(rep: IndikatorReport) -> list:
    """The indicator's name, its questions per group and years, and its note."""
    ind = rep.ind
    out = [_md(f"*{ind.name}.*")]
    if not ind.questionnaire:
        out.append(_md(f"Indikatorn {ind.note[:1].lower() + ind.note[1:] if ind.note else 'ingår inte i enkäterna.'}"))
        return out
    lines = ["Indikatorn mäts med följande frågor:", ""]
    q = rep.cv.cat.questions
    q = q.loc[q["indicator_list"].map(lambda xs: ind.number in xs)]
    for r in q.sort_values(["first_year", "group", "number"]).itertuples():
        span = year_span(r.first_year, r.last_year, collapse=True)
        lines.append(f"- {rep.cv.group_name.get(r.group, r.group)}, fråga {r.number} ({span}): {r.text}")
    if ind.note:
        lines += ["", f"*{ind.note}*"]
    out.append(_md("\n".join(lines)))
    return out


def table(rep: IndikatorReport) -> list:
    """The key share with its interval per förbund and year."""
    if not rep.ind.questionnaire or not rep.years:
        return []
    fids = sorted((f for f in rep.rows["forbund"].unique() if f != NATIONAL), key=rep.forbund_label)
    by = _rows_by(rep.rows, "forbund", "year")
    brk = rep.cv.breaks(rep.ind.number, rep.years)
    items = []
    for f in fids + [NATIONAL]:
        cells = {}
        for y in rep.years:
            r = by.get((f, y))
            if r is None:
                continue
            if _shown(r):
                cells[y] = f"{fmt.pct(r['key_share'])}\n({fmt.interval(r['ci_low'], r['ci_high'])})"
            else:
                cells[y] = rep.reason(r.get("reason"))
            if y in brk:
                cells[y] = "| " + cells[y]
        items.append(("", texts.NATIONAL_LABEL if f == NATIONAL else rep.forbund_label(f), cells))
    head_note = (" ”|” markerar att frågorna ändrades det året." if brk else "")
    html = tables.trend_table(items, rep.years, label_header="Förbund", numbered=False, bold_last=True)
    caption = (f"**Tabell.** Nyckeltal (andel klart positiva/ja) med {fmt.level(rep.settings.confidence)} "
               f"konfidensintervall per förbund och år." + head_note)
    return [tables.HTMLTable(tables.with_caption(html, caption), "Indikator per förbund och år")]


def funnel(rep: IndikatorReport) -> list:
    """The funnel plot of the latest year."""
    if not rep.ind.questionnaire or not rep.years:
        return []
    year = rep.years[-1]
    allind = rep.results.indicator
    rows = allind.loc[(allind["year"] == year) & (allind["forbund"] != NATIONAL)]
    nat = allind.loc[(allind["year"] == year) & (allind["forbund"] == NATIONAL)]
    return funnel_section(rep, rep.ind, year, rows, nat)[1:]


def check_summary(rep: IndikatorReport) -> str:
    """A compact deterministic summary (compared by nbval and the tests)."""
    shown = rep.rows.loc[~rep.rows["withheld"].astype(bool)]
    nf = shown.loc[shown["forbund"] != NATIONAL, "forbund"].nunique()
    return (f"indikator {rep.ind.number}: {len(rep.years)} år, {nf} förbund med redovisade resultat, "
            f"{int(rep.rows['withheld'].astype(bool).sum())} dolda")
