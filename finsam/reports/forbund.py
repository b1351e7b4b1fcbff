"""The report of one förbund and year (``notebooks/forbund.ipynb``).
"""

from __future__ import annotations

import pandas as pd

from .. import escape, figures, fmt, tables, texts
from ..codes import ALL_GROUPS, FIRST_NATIONAL_YEAR, NATIONAL, VIEWS
from ..errors import InputError
from . import glance
from .catview import Indicator
from .common import Report, md as _md, md_escape as _md_escape, n_of as _n, count as _count, rows_by as _rows_by
from .common import shown as _shown, significant as _significant, margin_text as _margin_text
from .common import notice  # noqa: F401 - a section of this report
from .method import method_text
from ..results import few_forbund_years


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
    if reasons and reasons <= {"no_answers", "min_n", "gender_min_n"}:
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


# -- Sammanfattning ------------------------------------------------------------
def _comparable(rep: ForbundReport):
    """Indicators with a shown total and a national comparison: list of (ind, row)."""
    out = []
    for ind in rep.cv.indicators:
        row = rep.ind_rows.get((ind.number, "alla"))
        if _shown(row) and not fmt.is_missing(row.get("diff_national")):
            out.append((ind, row))
    return out


def _volume_text(rep: ForbundReport) -> str:
    resp = rep.resp.set_index("group")
    total = resp.loc["totalt"] if "totalt" in resp.index else None
    groups = [g for g in resp.index if g not in ("totalt", "deltagare_totalt")]
    parts = []
    for g in groups:
        r = resp.loc[g]
        parts.append(f"{rep.cv.group_name.get(g, g).lower()} {fmt.integer(r['answered'])} "
                     f"({fmt.pct(r['response_rate'])})")
    text = (f"{rep.name_md} deltog i mätningen {rep.year} ({texts.period(rep.year)}) med enkäter till "
            f"{_n(len(groups), 'respondentgrupp', 'respondentgrupper')}. ")
    if total is not None:
        text += (f"Totalt kom {fmt.integer(total['answered'])} enkäter in av {fmt.integer(total['asked'])} "
                 f"tillfrågade, en svarsfrekvens på {fmt.pct(total['response_rate'])}")
        if rep.resp_prev is not None:
            prev_total = rep.resp_prev.set_index("group").loc["totalt", "answered"]
            text += f" ({fmt.integer(prev_total)} enkäter {rep.prev_year})"
        text += ". "
    text += "Antal enkätsvar (svarsfrekvens) per grupp: " + fmt.join_list(parts) + "."
    return text


def _value_text(row) -> str:
    """"62 % (55–69)" plus the small-base mark."""
    return (fmt.pct_interval(row["key_share"], row["ci_low"], row["ci_high"])
            + (f" {tables.CAVEAT_MARK}" if isinstance(row.get("caveat"), str) and row.get("caveat") else ""))


def _class_cell(row, text: str, align: str = "left") -> tables.Cell:
    """A cell whose text starts with the comparison symbol, coloured by class (the symbol carries it too)."""
    cls = glance.comparison_class(row)
    return tables.Cell(text, align=align, color=figures.CLASS_COLOR.get(cls) if cls else None)


def overview_items(rep: ForbundReport, notes: glance.Footnotes) -> list[dict]:
    """The rows of Tabell 1 (see :func:`finsam.tables.overview_table`), marking every gap with a footnote.

    Value columns: Alla (share and interval), Mot riket (class symbol and the
    difference in points), Mot föregående år (arrow; only when the förbund has
    data the year before), Kvinnor, Män (share and class symbol). A gap is an
    en dash with a footnote mark whose text says why, once per distinct reason.
    """
    gap = fmt.MISSING
    items = []
    for ind in rep.cv.indicators:
        item = {"indicator": ind.number, "name": ind.short}
        if not ind.questionnaire:
            item["note"] = ind.note or "Ingår inte i enkäterna."
            items.append(item)
            continue
        if ind.first_year is not None and rep.year < ind.first_year:
            item["note"] = f"Ingår i enkäterna från {ind.first_year}."
            items.append(item)
            continue
        row = rep.ind_rows.get((ind.number, "alla"))
        cells = []
        if not _shown(row):
            why = indicator_reason(rep, ind.number, "alla") or rep.reason("no_answers")
            cells.append(tables.Cell(gap + notes.mark(f"Resultatet visas inte: {why}."), color=tables.MUTED_COLOR))
            cells += [""] * (2 if rep.has_prev else 1)
        else:
            cells.append(tables.Cell(_value_text(row)))
            cls = glance.comparison_class(row)
            if cls is None:
                cells.append(tables.Cell(gap + notes.mark("Ingen jämförelse med riket: rikssnittet redovisas inte."),
                                         color=tables.MUTED_COLOR))
            else:
                cells.append(_class_cell(row, f"{texts.CLASS_SYMBOL[cls]} {fmt.pp(row['diff_national'])}"))
            if rep.has_prev:
                why = trend_reason(rep, ind.number, "alla")
                if why:
                    cells.append(tables.Cell(gap + notes.mark(trend_footnote(rep, why)), color=tables.MUTED_COLOR))
                else:
                    sig = tables.SIGNIF_MARK if fmt.is_true(row.get("signif_previous")) else ""
                    cells.append(tables.Cell(f"{row['trend']} {fmt.pp(row['diff_previous'])}{sig}"))
        gender = rep.cv.has_gender(ind.number, rep.year)
        for v in ("kvinna", "man"):
            r = rep.ind_rows.get((ind.number, v))
            if not gender:
                cells.append(tables.Cell(gap + notes.mark("Redovisas inte per kön: indikatorns frågor ställs inte "
                                                          "till deltagare."), color=tables.MUTED_COLOR))
            elif not _shown(r):
                why = indicator_reason(rep, ind.number, v) or rep.reason("no_answers")
                cells.append(tables.Cell(gap + notes.mark(f"Resultatet visas inte: {why}."), color=tables.MUTED_COLOR))
            else:
                cls = glance.comparison_class(r)
                sym = texts.CLASS_SYMBOL[cls] if cls else texts.NO_CLASS_SYMBOL
                caveat = f" {tables.CAVEAT_MARK}" if isinstance(r.get("caveat"), str) and r.get("caveat") else ""
                cells.append(_class_cell(r, f"{fmt.pct(r['key_share'])}{caveat} {sym}"))
        item["cells"] = cells
        items.append(item)
    return items


def overview_table(rep: ForbundReport, notes: glance.Footnotes | None = None) -> tables.HTMLTable:
    """Tabell 1: key share per indicator, one symbol against the country, one arrow against last year."""
    notes = glance.Footnotes() if notes is None else notes
    items = overview_items(rep, notes)
    ci = fmt.ci_label(rep.settings.confidence)
    head = [f"Alla ({ci})", "Mot riket"] + ([f"Mot {rep.prev_year}"] if rep.has_prev else []) + ["Kvinnor", "Män"]
    widths = [16, 13] + ([13] if rep.has_prev else []) + [11, 11]
    html = tables.overview_table(items, head, widths)
    return tables.HTMLTable(html, f"Översikt {rep.name} {rep.year}")


def _overview_legend(rep: ForbundReport, notes: glance.Footnotes, table=None) -> str:
    """The legend under Tabell 1: every symbol once, then the footnotes."""
    m = _margin_text(rep.settings)
    used = str(getattr(table, "html", "")) if table is not None else ""
    sym = texts.CLASS_SYMBOL
    parts = [
        f"Alla: nyckeltal = andel klart positiva svar (ja för ja/nej-frågor), "
        f"{fmt.level(rep.settings.confidence)} konfidensintervall inom parentes.",
    ]
    if not rep.no_national:
        parts.append(
            f"Mot riket: skillnad mot rikssnittet i procentenheter (p.e.); {sym['higher']} "
            f"{texts.CLASS_WORD['higher']}, {sym['lower']} {texts.CLASS_WORD['lower']}, {sym['same']} "
            f"{texts.CLASS_WORD['same']} (jämfört med resten av landet, bortom den slumpmässiga osäkerheten). "
            f"NNS kallar en skillnad på mer än ±{m} p.e. högre respektive lägre.")
    if rep.has_prev:
        sig = (f" {_md_escape(tables.SIGNIF_MARK)} = säkerställd förändring." if tables.SIGNIF_MARK + "<" in used
               or tables.SIGNIF_MARK + "</" in used else "")
        parts.append(f"Mot {rep.prev_year}: ↑ ökat, → inom ±{m} p.e., ↓ minskat, med förändringen i p.e. "
                     f"({_TREND_BASIS_WORD[rep.settings.trend_basis]}).{sig}")
    parts.append("Kvinnor, Män: nyckeltal" + ("" if rep.no_national else " och symbol mot rikssnittet")
                 + " för kvinnor respektive män.")
    if tables.CAVEAT_MARK in used:
        parts.append(f"{tables.CAVEAT_MARK} = litet underlag (färre än {rep.settings.caution_n} svar): tolka med "
                     "försiktighet.")
    text = "*" + " ".join(parts) + "*"
    if notes.texts:
        text += "\n\n" + "\\\n".join(_md_escape(line) for line in notes.lines())
    return text


#: What the previous-year arrow compares (``settings.trend_basis``), in the legend of Tabell 1.
_TREND_BASIS_WORD = {"positive": "andelen positiva svar", "key": "nyckeltalet"}


def spine_chart(rep: ForbundReport) -> figures.Figure | None:
    """Figur 1: every indicator measured this year against the country and the spread of all förbund."""
    items = spine_items(rep)
    if not items:
        return None
    conf = fmt.level(rep.settings.confidence)
    caption = (f"Nyckeltal per indikator {rep.year} med {conf} konfidensintervall, {rep.name} jämfört med "
               "rikssnittet (lodrätt streck) och spridningen mellan alla förbund (grått fält). Symbol och färg: "
               + ", ".join(f"{texts.CLASS_SYMBOL[c]} {texts.CLASS_WORD[c]}" for c in glance.CLASSES)
               + f". Till höger NNS etikett (±{_margin_text(rep.settings)} p.e.).")
    bits = []
    for it in items:
        if it.share is None:
            bits.append(f"{it.indicator} {it.name}: {it.note}")
            continue
        d = f"{it.indicator} {it.name}: {fmt.pct_interval(it.share, it.low, it.high)}"
        if it.national is not None:
            d += f", rikssnitt {fmt.pct(it.national)}"
        d += f", {texts.CLASS_WORD[it.cls]}" if it.cls else ", ingen jämförelse"
        bits.append(d)
    alt = (f"Punktdiagram, ett led per indikator, {rep.name} {rep.year} mot rikssnittet. " + "; ".join(bits) + ".")
    return figures.spine_chart(items, caption=caption, alt=alt, class_words=texts.CLASS_WORD,
                               spread_label=f"Spridning mellan förbunden {rep.year}",
                               confidence=rep.settings.confidence)


def spine_items(rep: ForbundReport) -> list[glance.SpineItem]:
    """The data of :func:`spine_chart`: questionnaire indicators measured this year, in catalogue order."""
    inds = [(i.number, i.short) for i in rep.cv.indicators
            if i.questionnaire and (i.first_year is None or rep.year >= i.first_year)]
    rows = {n: rep.ind_rows.get((n, "alla")) for n, _s in inds}
    return glance.spine_items(inds, rows, glance.spreads(rep.results, rep.year),
                              lambda n: indicator_reason(rep, n, "alla") or rep.reason("no_answers"))


#: NNS's labels and their words in running text, in the order used for ties.
_LABEL_ORDER = (("Högre", "högre"), ("Lägre", "lägre"), ("Varken högre eller lägre", "varken högre eller lägre"))


def _larger_first(counts):
    """(key, word, count) items sorted by count, largest first (ties keep their order)."""
    return sorted(counts, key=lambda x: -x[2])


def _sentences(rep: ForbundReport) -> str:
    """Summary sentences in the style of 000, counting differences beyond noise separately.

    Counts are digits throughout (see :func:`_count`); zero counts are left out.
    """
    comp = _comparable(rep)
    total = len(comp)
    m = _margin_text(rep.settings)

    def names(items):
        return fmt.join_list(f"{i.number} {i.short}" for i, _r in items)

    text = []
    if rep.no_national:
        text.append(rep.no_national)
    elif total == 0:
        text.append("Inga indikatorer har tillräckligt många svar för en jämförelse med rikssnittet.")
    else:
        order = _larger_first([(k, w, sum(r["national_label"] == k for _i, r in comp)) for k, w in _LABEL_ORDER])
        (_lead, lead_word, lead_n), rest = order[0], order[1:]
        rest = [f"i {_count(c)} {w}" for _k, w, c in rest if c]
        lead_text = ("varken högre eller lägre än rikssnittet" if lead_word.startswith("varken")
                     else f"{lead_word} än rikssnittet")
        text.append(
            f"I {_count(lead_n)} av {_n(total, 'indikator', 'indikatorer')} ligger förbundet {lead_text}"
            + ((" och " if len(rest) == 1 else ", ") + fmt.join_list(rest) if rest else "")
            + f" (NNS marginal ±{m} p.e.)."
        )
        up, down = _significant(comp, "national")
        if len(down) > len(up):
            up, down = down, up
            first_word, second_word = "lägre", "högre"
        else:
            first_word, second_word = "högre", "lägre"
        if not up and not down:
            text.append("Ingen av skillnaderna mot rikssnittet är säkerställd: alla ryms inom den slumpmässiga "
                        "osäkerheten.")
        else:
            bits = []
            if up:
                bits.append(f"{first_word} i {_count(len(up))} ({names(up)})")
            if down:
                bits.append(f"{second_word} i {_count(len(down))} ({names(down)})")
            other = total - len(up) - len(down)
            rest_text = ""
            if other == 1:
                rest_text = " Den övriga skillnaden kan bero på slumpen."
            elif other > 1:
                rest_text = f" Övriga {_count(other)} skillnader kan bero på slumpen."
            text.append("Säkerställt, det vill säga större än den slumpmässiga osäkerheten, är resultatet "
                        + fmt.join_list(bits) + "." + rest_text)
    if rep.has_prev:
        text.append(_previous_sentence(rep, m, names))
    # Gender
    gender_bits = []
    for v, word, plural in (("kvinna", "Kvinnornas", "kvinnor"), ("man", "Männens", "män")):
        rows = [(i, rep.ind_rows.get((i.number, v))) for i in rep.cv.indicators]
        rows = [(i, r) for i, r in rows if _shown(r) and not fmt.is_missing(r.get("diff_national"))]
        if not rows:
            continue
        counts = [(w, c) for _k, w, c in _larger_first(
            [(k, w, sum(r["national_label"] == k for _i, r in rows)) for k, w in _LABEL_ORDER])]
        sig = sum(fmt.is_true(r.get("signif_national")) for _i, r in rows)
        sig_text = ("ingen skillnad är säkerställd" if sig == 0
                    else f"{_n(sig, 'skillnad', 'skillnader')} är {'säkerställd' if sig == 1 else 'säkerställda'}")
        gender_bits.append(
            f"{word} resultat jämförs med rikssnittet för {plural} i "
            f"{_n(len(rows), 'indikator', 'indikatorer')}: "
            + fmt.join_list(f"{w} i {_count(c)}" for w, c in counts if c) + f"; {sig_text}."
        )
    if gender_bits:
        text.extend(gender_bits)
    elif not rep.no_national:
        text.append("Resultat för kvinnor och män redovisas inte separat: för få svar per kön.")
    return " ".join(text)


def _previous_sentence(rep: ForbundReport, m: str, names) -> str:
    """The previous-year sentence (only when the förbund has data the year before)."""
    trend, missing = [], 0
    for ind in rep.cv.indicators:
        r = rep.ind_rows.get((ind.number, "alla"))
        if not _shown(r):
            continue
        if fmt.is_missing(r.get("diff_previous")):
            missing += 1
        else:
            trend.append((ind, r))
    if not trend:
        return (f"Inga resultat kan jämföras med {rep.prev_year} (skälet står i tabellen), så förändringen "
                "mot föregående år redovisas inte.")
    ups = sum(r["trend"] == "↑" for _i, r in trend)
    downs = sum(r["trend"] == "↓" for _i, r in trend)
    flat = len(trend) - ups - downs
    of = _n(len(trend), "jämförbar indikator", "jämförbara indikatorer")
    parts = [f"{w} i {_count(c)}" for _k, w, c in _larger_first([("up", "ökat", ups), ("down", "minskat", downs)])
             if c]
    if not parts:
        s = (f"Jämfört med {rep.prev_year} ligger förändringen inom ±{m} p.e. i "
             + ("den enda jämförbara indikatorn." if len(trend) == 1 else f"alla {of}."))
    else:
        s = f"Jämfört med {rep.prev_year} har resultatet {fmt.join_list(parts)} av {of}"
        s += f"; i {_count(flat)} ligger förändringen inom ±{m} p.e." if flat else "."
    sig_up, sig_down = _significant(trend, "previous")
    if not sig_up and not sig_down:
        s += " Ingen av förändringarna är säkerställd."
    else:
        bits = []
        if sig_up:
            bits.append(f"ökningen i {names(sig_up)}")
        if sig_down:
            bits.append(f"minskningen i {names(sig_down)}")
        s += " Säkerställd är " + fmt.join_list(bits) + "."
    if missing:
        s += (f" För {_n(missing, 'indikator', 'indikatorer')} med resultat i år saknas jämförelse med "
              f"{rep.prev_year}; skälet står i tabellen.")
    return s


def summary(rep: ForbundReport) -> list:
    """Sammanfattning: volumes, Figur 1 (spine chart), the compact Tabell 1 with its legend, the sentences."""
    notes = glance.Footnotes()
    table = overview_table(rep, notes)
    fig = spine_chart(rep)
    return [
        _md(_volume_text(rep)),
        *([fig] if fig is not None else []),
        tables.with_caption(table, f"**Tabell 1.** Nyckeltal per indikator {rep.year}"
            + ("" if rep.no_national else ", jämfört med rikssnittet")
            + ((" och" if not rep.no_national else ", jämfört") + f" med {rep.prev_year}." if rep.has_prev
               else f". {no_previous_text(rep)}")),
        _md(_overview_legend(rep, notes, table)),
        _md(_sentences(rep)),
    ]


# -- per indicator ---------------------------------------------------------------
def _question_blocks(rep: ForbundReport, ind: int):
    """(title, yesno, rows, bar rows) per question × group of an indicator."""
    q = rep.q.loc[rep.q["indicator"].astype(str).str.split("|").map(lambda xs: str(ind) in xs)]
    q = q.sort_values(["group_order", "number", "question"], kind="mergesort")
    blocks = []
    for (group, qid), cell in q.groupby(["group", "question"], sort=False):
        views = _rows_by(cell, "gender")
        alla = views.get("alla")
        first = cell.iloc[0]
        title = f"{rep.cv.group_name.get(group, group)}, fråga {int(first['number'])}: {first['text']}"
        short = f"{rep.cv.group_short.get(group, group)} F{int(first['number'])}"
        yesno = first["scale"] == "janej"
        rows = [("alla", alla, alla.get("reason") if alla is not None else "no_answers")]
        if rep.cv.participant.get(group, False) and _shown(alla):
            k, m = views.get("kvinna"), views.get("man")
            if not _shown(k) and not _shown(m) and k is not None and m is not None \
                    and k.get("reason") == m.get("reason"):
                rows.append(("Kvinnor, män", None, k.get("reason")))
            else:
                for v, r in (("kvinna", k), ("man", m)):
                    rows.append((v, r, r.get("reason") if r is not None else "no_answers"))
        blocks.append((title, short, yesno, rows))
    return blocks


def _bar_rows(rep: ForbundReport, blocks):
    bars, alt = [], []
    for _title, short, yesno, rows in blocks:
        for view, row, code in rows:
            if view not in VIEWS:
                continue
            label = short if view == "alla" else f"{short} {texts.VIEW_WORD[view]}"
            if not _shown(row):
                if view == "alla":
                    bars.append(figures.BarRow(label, yesno, None, note=rep.reason(code)))
                    alt.append(f"{label}: {rep.reason(code)}")
                continue
            if yesno:
                shares = {"yes": row["yes"], "no": 1 - row["yes"]}
                desc = f"ja {fmt.pct(row['yes'])}"
            else:
                shares = {"clearly_positive": row["clearly_positive"],
                          "positive_other": row["positive"] - row["clearly_positive"],
                          "neutral": row["neutral"], "negative": row["negative"]}
                desc = (f"klart positivt {fmt.pct(row['clearly_positive'])}, positivt "
                        f"{fmt.pct(row['positive'])}, negativt {fmt.pct(row['negative'])}")
            national = None if fmt.is_missing(row.get("national")) else float(row["national"])
            desc += f", {fmt.n_label(row['n'])}"
            if national is not None:
                desc += f", rikssnitt {fmt.pct(national)}"
            bars.append(figures.BarRow(label, yesno, shares, (float(row["ci_low"]), float(row["ci_high"])),
                                       national))
            alt.append(f"{label}: {desc}")
    return bars, alt


def indicators(rep: ForbundReport) -> list[Indicator]:
    """The indicators of "Resultat per indikator", in catalogue order (1–16)."""
    return list(rep.cv.indicators)


def indicator_section(rep: ForbundReport, ind: Indicator) -> list:
    """One indicator: heading, question tables with their notes, and the bar chart."""
    out = [_md(f"### {ind.number}. {ind.short}\n\n*{ind.name}.*")]
    if not ind.questionnaire:
        out.append(_md(f"Indikatorn {ind.note[:1].lower() + ind.note[1:] if ind.note else 'ingår inte i enkäterna.'}"))
        return out
    if ind.first_year is not None and rep.year < ind.first_year:
        out.append(_md(f"Indikatorn ingår i enkäterna från {ind.first_year}; för {rep.year} finns inga data."))
        return out
    if rep.year in rep.cv.breaks(ind.number, [rep.year - 1, rep.year]):
        since = f"{rep.prev_year} eller tidigare år" if rep.has_prev else "tidigare år"
        out.append(_md(f"*Frågorna ändrades {rep.year}: resultaten kan inte jämföras med {since}.*"))
    elif ind.first_year == rep.year and ind.note:
        out.append(_md(f"*{ind.note}*"))
    blocks = _question_blocks(rep, ind.number)
    if not blocks:
        out.append(_md(f"Förbundet har inga svar på indikatorns frågor {rep.year}."))
        return out
    used_sig = used_cav = False
    for yesno in (False, True):
        part = [(t, rows) for t, _s, y, rows in blocks if y == yesno]
        if not part:
            continue
        table_rows = [[(v, r, c) for v, r, c in rows] for _t, rows in part]
        for rows in table_rows:
            for _v, r, _c in rows:
                if _shown(r):
                    used_sig |= fmt.is_true(r.get("signif_national")) or fmt.is_true(r.get("signif_previous"))
                    used_cav |= bool(r.get("caveat"))
        html = tables.question_table(part, yesno=yesno, prev_year=rep.cmp_year, reason=rep.long_reason,
                                     confidence=rep.settings.confidence)
        out.append(tables.HTMLTable(html, f"Indikator {ind.number}"))
    notes = []
    if used_sig:
        notes.append(f"{_md_escape(tables.SIGNIF_MARK)} säkerställd skillnad")
    if used_cav:
        notes.append(f"{tables.CAVEAT_MARK} litet underlag (färre än {rep.settings.caution_n} svar)")
    if notes:
        out.append(_md("*" + "; ".join(notes) + ".*"))
    bars, alt = _bar_rows(rep, blocks)
    if bars and not any(b.shares is not None for b in bars):
        out.append(_md("*Inget diagram: inga svar på indikatorns frågor kan visas (skälen står i tabellen).*"))
    elif bars:
        caption = (f"Indikator {ind.number}: svarsfördelning per fråga och grupp {rep.year}. Linjen visar "
                   f"nyckeltalets {fmt.level(rep.settings.confidence)} konfidensintervall, romben rikssnittet.")
        alt_text = (f"Liggande staplar, indikator {ind.number}, {rep.name} {rep.year}. " + "; ".join(alt) + ".")
        out.append(figures.class_bars(bars, caption=caption, alt=alt_text, confidence=rep.settings.confidence))
    return out


def indicator_intro(rep: ForbundReport) -> list:
    """The introduction of "Resultat per indikator" (names the previous-year column only when shown)."""
    change = (f", rikssnittet och förändringen sedan {rep.prev_year}" if rep.has_prev else " och rikssnittet")
    return [_md(
        "Tabellerna visar för varje fråga och respondentgrupp andelen negativa svar, varken eller och positiva "
        f"svar (klart positiva inom parentes), nyckeltalets {fmt.level(rep.settings.confidence)} "
        f"konfidensintervall{change}. Kvinnor och män visas separat när reglerna för få svar tillåter det. "
        "Diagrammen visar samma fördelning som staplar."
    )]


def indicator_sections(rep: ForbundReport) -> list[list]:
    """One list of displayables per indicator 1–16."""
    return [indicator_section(rep, ind) for ind in indicators(rep)]


# -- Utveckling över tid ------------------------------------------------------------
def trend(rep: ForbundReport) -> list:
    """Utveckling över tid: small multiples per indicator and the table of every year."""
    allind = rep.results.indicator
    sel = allind.loc[(allind["forbund"] == rep.forbund) & (allind["group"] == ALL_GROUPS)
                     & (allind["gender"] == "alla") & (allind["year"] <= rep.year)]
    nat = allind.loc[(allind["forbund"] == NATIONAL) & (allind["group"] == ALL_GROUPS)
                     & (allind["gender"] == "alla") & (allind["year"] <= rep.year)]
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


# -- Svarsfrekvens och bortfall ----------------------------------------------------
def response(rep: ForbundReport) -> list:
    """Svarsfrekvens och bortfall per respondent group, against the nation, and answers by gender."""
    resp = rep.resp
    nat = None if rep.no_national else {r["group_name"]: r["response_rate"] for _i, r in rep.resp_nat.iterrows()}
    rows = []
    for _i, r in resp.iterrows():
        bold = r["group"] in ("deltagare_totalt", "totalt")
        rows.append((r["group_name"], r, bold))
    out = [
        tables.HTMLTable(tables.with_caption(
            tables.response_table(rows, nat),
            f"**Tabell.** Tillfrågade, bortfall och svar per respondentgrupp {rep.year}, {rep.name} "
            "jämfört med riket. Bortfall = tillfrågade som inte svarat (inklusive ej nåbara). En enkät räknas "
            "som besvarad om minst en fråga är besvarad."), "Svarsfrekvens"),
    ]
    part = [(r["group_name"], r) for _i, r in resp.iterrows()
            if rep.cv.participant.get(r["group"], False) or r["group"] == "deltagare_totalt"]
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
    alla_withheld = set(rep.q.loc[(rep.q["gender"] == "alla") & rep.q["withheld"].astype(bool),
                                   "question"].astype(str))
    for _i, r in q.iterrows():
        if r["gender"] != "alla":
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
    shown_all = [rep.ind_rows.get((i.number, "alla")) for i in rep.cv.indicators]
    trends = [r["trend"] for r in shown_all if _shown(r) and isinstance(r.get("trend"), str)]
    return (
        f"{rep.forbund} {rep.year}: {sum(_shown(r) for r in shown_all)} indikatorer med resultat; "
        f"mot riket {lab.count('Högre')} högre ({sig_up} säkerställt), {lab.count('Lägre')} lägre "
        f"({sig_dn} säkerställt), {lab.count('Varken högre eller lägre')} varken; "
        + (f"mot {rep.prev_year} ↑{trends.count('↑')} →{trends.count('→')} ↓{trends.count('↓')}; "
           if rep.has_prev else "ingen jämförelse med föregående år; ")
        + f"{len(withheld_cells(rep))} dolda celler"
    )
