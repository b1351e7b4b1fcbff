"""The state of a förbund report and the reasons it gives for a missing result or comparison."""

from __future__ import annotations

from .. import escape, fmt, texts
from ..codes import ALL, ALL_GROUPS, FIRST_NATIONAL_YEAR, NATIONAL, SMALL_N_REASONS
from ..errors import InputError
from ..results import few_forbund_years
from .common import Report, rows_by as _rows_by, shown as _shown


def _check_forbund_year(dataset, results, forbund, year) -> tuple[str, int]:
    fid = str(forbund).strip()
    known = sorted(set(dataset.forbund["forbund"].astype(str)) | set(dataset.responses["forbund"].astype(str)))
    if fid not in known:
        listing = ", ".join(known)
        raise InputError(f"Okänt förbund {fid!r} i {dataset.source}. Förbund som finns: {listing}.")
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise InputError(f"Ogiltigt år {year!r}: ange ett årtal, t.ex. 2023.") from None
    years = sorted(int(v) for v in results.question.loc[results.question["forbund"] == fid, "year"].unique())
    if y not in years:
        name = dataset.forbund_name(fid)
        have = ", ".join(str(v) for v in years) or "inga"
        raise InputError(f"{name} ({fid}) har inga data för {y}. År med data för förbundet: {have}.")
    return fid, y


class ForbundReport(Report):
    """The state of ``notebooks/forbund.ipynb``: one förbund's results of a year and the year before."""

    def __init__(self, forbund, year, data_dir, settings) -> None:
        super().__init__(data_dir, settings)
        self.forbund, self.year = _check_forbund_year(self.dataset, self.results, forbund, year)
        self.prev_year = self.year - 1
        self.name = self.dataset.forbund_name(self.forbund)
        #: The name as literal Markdown text (names are free text from the data).
        self.name_md = escape.markdown(self.name)
        r = self.results
        self.q = r.questions(self.year, self.forbund)
        self.ind_all = r.indicators(self.year, self.forbund, group=None)
        self.ind = self.ind_all.loc[self.ind_all["group"] == ALL_GROUPS]
        self.ind_rows = _rows_by(self.ind, "indicator", "gender")
        self.resp = r.responses(self.year, self.forbund)
        self.resp_nat = r.responses(self.year, NATIONAL)
        prev = r.responses(self.prev_year, self.forbund) if self.prev_year in set(r.response["year"]) else None
        self.resp_prev = prev if prev is not None and len(prev) else None
        fq = r.question.loc[r.question["forbund"] == self.forbund, "year"]
        #: Has the förbund data the year before? Without it no previous-year wording or column at all.
        self.has_prev = bool((fq == self.prev_year).any())
        self.first_data_year = int(r.question["year"].min())
        #: The comparison year, or None when the förbund has no data the year before.
        self.cmp_year = self.prev_year if self.has_prev else None
        #: Why there is no national comparison (empty: there is one), see :func:`finsam.results.without_national`.
        self.no_national = ""
        if "national_reason" in self.ind.columns and self.ind["national_reason"].eq("few_forbund").any():
            count = self.dataset.responses.loc[self.dataset.responses["year"] == self.year, "forbund"].nunique()
            self.no_national = texts.no_national(int(count), self.year, self.settings.min_forbund_national)
        #: Years whose national figure is not shown (too few förbund, no national reference).
        self.few_forbund_years = set(few_forbund_years(self.dataset, self.settings))
        prev_ind = r.indicators(self.prev_year, self.forbund) if self.has_prev else self.ind.iloc[0:0]
        self.prev_ind_rows = _rows_by(prev_ind.loc[prev_ind["group"] == ALL_GROUPS], "indicator", "gender")


def no_previous_text(rep: ForbundReport) -> str:
    """Why there is no previous-year comparison at all (empty when there is one)."""
    if rep.has_prev:
        return ""
    if rep.year <= FIRST_NATIONAL_YEAR:
        why = f"{rep.year} var den första nationella mätningen"
    elif rep.year == rep.first_data_year:
        why = f"uppgifterna börjar {rep.year}"
    else:
        why = f"förbundet deltog inte {rep.prev_year}"
    return f"Jämförelse med föregående år saknas ({why})."


def indicator_reason(rep: ForbundReport, ind: int, view: str) -> str:
    """Short reason of a withheld indicator cell, resolving ``no_published`` (mixed reasons).

    When all the indicator's question cells are withheld for different
    reasons, say "för få svar" (or "för få per kön") if every reason is a
    small-n rule, else name the disclosure protection. Empty for a shown cell.
    """
    row = rep.ind_rows.get((ind, view))
    if row is None or _shown(row):
        return ""
    code = row.get("reason")
    if code != "no_published":
        return rep.reason(code)
    q = rep.q.loc[(rep.q["gender"] == view) & rep.q["withheld"].astype(bool)
                   & rep.q["indicator"].astype(str).str.split("|").map(lambda xs: str(ind) in xs)]
    reasons = set(q["reason"].astype(str))
    if reasons and reasons <= SMALL_N_REASONS:
        return rep.reason("gender_min_n" if "gender_min_n" in reasons else "min_n").split(" (")[0]
    return rep.reason(code)


def trend_reason(rep: ForbundReport, ind: int, view: str) -> str:
    """Why a shown result has no previous-year arrow, as a short phrase (empty when it has one or none is expected).

    One of "inga svar då", "resultatet dolt då", "frågorna ändrades", "andra grupper"
    (the indicator pools other respondent groups than the year before) or "andra frågor".
    """
    row = rep.ind_rows.get((ind, view))
    if not rep.has_prev or not _shown(row) or not fmt.is_missing(row.get("diff_previous")):
        return ""
    prev = rep.prev_ind_rows.get((ind, view))
    if prev is None:
        return "inga svar då"
    if not _shown(prev):
        return "resultatet dolt då"
    if rep.year in rep.cv.breaks(ind, [rep.prev_year, rep.year]):
        return "frågorna ändrades"

    def groups(r):
        return {rep.cv.question_group.get(q, q) for q in str(r.get("questions", "")).split("|") if q}
    return "andra grupper" if groups(row) != groups(prev) else "andra frågor"


def trend_note(rep: ForbundReport, ind: int, view: str) -> str:
    """Why a shown overview cell has no previous-year arrow (empty when it has one or none is expected)."""
    why = trend_reason(rep, ind, view)
    return f"ingen jämförelse med {rep.prev_year} ({why})" if why else ""


def trend_footnote(rep: ForbundReport, why: str) -> str:
    """The footnote of a missing previous-year arrow, said once under Tabell 1."""
    long = {
        "inga svar då": f"förbundet hade inga svar på indikatorns frågor {rep.prev_year}",
        "resultatet dolt då": f"resultatet var dolt {rep.prev_year}",
        "frågorna ändrades": f"frågorna ändrades {rep.year}",
        "andra grupper": f"indikatorn bygger på andra respondentgrupper än {rep.prev_year}",
        "andra frågor": f"indikatorn bygger på andra frågor än {rep.prev_year}",
    }[why]
    return f"Ingen jämförelse med {rep.prev_year}: {long}."

def comparable(rep: ForbundReport):
    """Indicators with a shown total and a national comparison: list of (ind, row)."""
    out = []
    for ind in rep.cv.indicators:
        row = rep.ind_rows.get((ind.number, ALL))
        if _shown(row) and not fmt.is_missing(row.get("diff_national")):
            out.append((ind, row))
    return out
