"""Resultat per indikator of a förbund report: question tables and bar charts per indicator."""

from __future__ import annotations

from .. import figures, fmt, tables, texts
from ..codes import ALL, GENDERS, VIEWS
from ._forbund_state import ForbundReport
from .catview import Indicator
from .common import md as _md, md_escape as _md_escape, rows_by as _rows_by, shown as _shown


def _question_blocks(rep: ForbundReport, ind: int):
    """(title, yesno, rows, bar rows) per question × group of an indicator."""
    q = rep.q.loc[rep.q["indicator"].astype(str).str.split("|").map(lambda xs: str(ind) in xs)]
    q = q.sort_values(["group_order", "number", "question"], kind="mergesort")
    blocks = []
    for (group, qid), cell in q.groupby(["group", "question"], sort=False):
        views = _rows_by(cell, "gender")
        alla = views.get(ALL)
        first = cell.iloc[0]
        title = f"{rep.cv.group_name.get(group, group)}, fråga {int(first['number'])}: {first['text']}"
        short = f"{rep.cv.group_short.get(group, group)} F{int(first['number'])}"
        yesno = first["scale"] == "janej"
        rows = [(ALL, alla, alla.get("reason") if alla is not None else "no_answers")]
        if rep.cv.participant.get(group, False) and _shown(alla):
            k, m = (views.get(g) for g in GENDERS)
            if not _shown(k) and not _shown(m) and k is not None and m is not None \
                    and k.get("reason") == m.get("reason"):
                rows.append(("Kvinnor, män", None, k.get("reason")))
            else:
                for v, r in zip(GENDERS, (k, m)):
                    rows.append((v, r, r.get("reason") if r is not None else "no_answers"))
        blocks.append((title, short, yesno, rows))
    return blocks


def _bar_rows(rep: ForbundReport, blocks):
    bars, alt = [], []
    for _title, short, yesno, rows in blocks:
        for view, row, code in rows:
            if view not in VIEWS:
                continue
            label = short if view == ALL else f"{short} {texts.VIEW_WORD[view]}"
            if not _shown(row):
                if view == ALL:
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

