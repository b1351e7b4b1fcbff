"""Sammanfattning of a förbund report: volumes, Figur 1 (spine chart), Tabell 1 with its legend, the sentences."""

from __future__ import annotations

from .. import figures, fmt, tables, texts
from ..codes import ALL, ARROW_DOWN, ARROW_FLAT, ARROW_UP, GENDERS, LABELS, PARTICIPANTS_TOTAL, ALL_TOTAL
from . import glance
from ._forbund_state import ForbundReport, comparable as _comparable, indicator_reason, no_previous_text, trend_footnote, trend_reason
from .common import count as _count, md as _md, md_escape as _md_escape, n_of as _n
from .common import margin_text as _margin_text, present, shown as _shown, significant as _significant


def _volume_text(rep: ForbundReport) -> str:
    resp = rep.resp.set_index("group")
    total = resp.loc[ALL_TOTAL] if ALL_TOTAL in resp.index else None
    groups = [g for g in resp.index if g not in (ALL_TOTAL, PARTICIPANTS_TOTAL)]
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
            prev_total = rep.resp_prev.set_index("group").loc[ALL_TOTAL, "answered"]
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
        row = rep.ind_rows.get((ind.number, ALL))
        cells = []
        if not _shown(row):
            why = indicator_reason(rep, ind.number, ALL) or rep.reason("no_answers")
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
                why = trend_reason(rep, ind.number, ALL)
                if why:
                    cells.append(tables.Cell(gap + notes.mark(trend_footnote(rep, why)), color=tables.MUTED_COLOR))
                else:
                    sig = tables.SIGNIF_MARK if fmt.is_true(row.get("signif_previous")) else ""
                    cells.append(tables.Cell(f"{row['trend']} {fmt.pp(row['diff_previous'])}{sig}"))
        gender = rep.cv.has_gender(ind.number, rep.year)
        for v in GENDERS:
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
        parts.append(f"Mot {rep.prev_year}: {ARROW_UP} ökat, {ARROW_FLAT} inom ±{m} p.e., {ARROW_DOWN} minskat, med förändringen i p.e. "
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
    rows = {n: rep.ind_rows.get((n, ALL)) for n, _s in inds}
    return glance.spine_items(inds, rows, glance.spreads(rep.results, rep.year),
                              lambda n: indicator_reason(rep, n, ALL) or rep.reason("no_answers"))


#: NNS's labels and their words in running text, in the order used for ties.
_LABEL_ORDER = tuple((label, texts.LABEL_WORD[label]) for label in LABELS)


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
            bits = present((up, f"{first_word} i {_count(len(up))} ({names(up)})"),
                           (down, f"{second_word} i {_count(len(down))} ({names(down)})"))
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
    for v, word in zip(GENDERS, ("Kvinnornas", "Männens")):
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
            f"{word} resultat jämförs med rikssnittet för {texts.VIEW_WORD[v]} i "
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
        r = rep.ind_rows.get((ind.number, ALL))
        if not _shown(r):
            continue
        if fmt.is_missing(r.get("diff_previous")):
            missing += 1
        else:
            trend.append((ind, r))
    if not trend:
        return (f"Inga resultat kan jämföras med {rep.prev_year} (skälet står i tabellen), så förändringen "
                "mot föregående år redovisas inte.")
    ups = sum(r["trend"] == ARROW_UP for _i, r in trend)
    downs = sum(r["trend"] == ARROW_DOWN for _i, r in trend)
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
        bits = present((sig_up, f"ökningen i {names(sig_up)}"), (sig_down, f"minskningen i {names(sig_down)}"))
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

