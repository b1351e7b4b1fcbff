"""HTML tables (finsam.tables): structure Quarto reads for HTML and Typst, Swedish formats, withheld cells."""

import re

import pandas as pd

from finsam import tables
from finsam.tables import Cell, html_table

NB = "\u00a0"


def _row(**kw) -> pd.Series:
    base = dict(withheld=False, reason="", caveat="", n=42, negative=0.1, neutral=0.2, positive=0.7,
                clearly_positive=0.5, yes=float("nan"), key_share=0.5, ci_low=0.354, ci_high=0.646,
                national=0.45, diff_national=0.05, national_label="Högre", signif_national=False,
                diff_previous=-0.031, trend="↓", signif_previous=True)
    base.update(kw)
    return pd.Series(base)


def test_structure_thead_tbody_colgroup_and_no_ids():
    html = html_table([["A", "B"]], [["x", Cell("1", align="right", bold=True)]], widths=[70, 30])
    assert html.startswith('<table class="finsam-table">')
    assert html.index("<colgroup>") < html.index("<thead>") < html.index("<tbody>")
    assert '<th>A</th><th style="text-align: right">B</th>' in html  # a header takes its column's alignment
    assert '<td style="text-align: right; font-weight: bold">1</td>' in html
    assert '<col style="width: 70%">' in html
    assert " id=" not in html
    assert html == html_table([["A", "B"]], [["x", Cell("1", align="right", bold=True)]], widths=[70, 30])


def test_text_is_escaped_and_newlines_become_breaks():
    html = html_table([], [[Cell("n < 5 & <b>\nrad 2")]])
    assert "<td>n &lt; 5 &amp; &lt;b&gt;<br>rad 2</td>" in html


def test_typst_form_is_a_real_table_with_repeated_header():
    table = html_table([["A", "B"]], [tables.group_row("Fråga", 2), ["x", Cell("1", align="right", bold=True)]],
                       widths=[70, 30])
    typst = table.typst
    assert "#table(columns: (70fr, 30fr)," in typst
    header = next(line for line in typst.splitlines() if "table.header(" in line)
    assert header.count("table.cell(") == 2 and '#{"A"}' in header and '#{"B"}' in header
    assert 'table.cell(colspan: 2, align: left, fill: rgb("#f4f4f4"), stroke: (top: 0.6pt + luma(110)))' in typst
    assert 'table.cell(align: right)[#text(weight: "bold")[#{"1"}]]' in typst
    assert typst == html_table([["A", "B"]], [tables.group_row("Fråga", 2), ["x", Cell("1", align="right",
                                                                                     bold=True)]],
                               widths=[70, 30]).typst


def test_typst_text_is_a_string_literal_never_markup():
    typst = html_table([], [[Cell('n < 5 # $x$ *b* "q" \\ @ref\nrad 2\tslut')]]).typst
    assert '#{"n < 5 # $x$ *b* \\"q\\" \\\\ @ref"; linebreak(); "rad 2\\u{9}slut"}' in typst


def test_table_offers_html_for_the_site_and_typst_markdown_for_the_pdf():
    bundle = tables.HTMLTable(html_table([["A"]], [["x"]]), "Tabell")._repr_mimebundle_()
    assert bundle["text/html"].startswith("<table")
    assert bundle["text/markdown"].startswith("```{=typst}\n#[") and bundle["text/markdown"].endswith("]\n```\n")
    assert bundle["text/plain"] == "Tabell"
    # HTML from elsewhere has no Typst form: Quarto converts it (text/html only).
    assert set(tables.HTMLTable("<table></table>")._repr_mimebundle_()) == {"text/html", "text/plain"}


def test_only_typst_safe_css_properties():
    html = html_table([["x"]], [tables.group_row("Fråga", 3), [tables.muted("dold")]])
    props = set(re.findall(r"([a-z-]+):", " ".join(re.findall(r'style="([^"]*)"', html))))
    assert props <= {"text-align", "font-weight", "font-style", "color", "background-color", "border-top", "width"}


def test_overview_table_lays_out_given_cells_and_spanning_notes():
    items = [{"indicator": 1, "name": "Ett", "cells": [tables.Cell("50 % (35–65)"), "▲ +5,0 p.e.", "↑"]},
             {"indicator": 11, "name": "Elva", "note": "Ingår inte i enkäterna."}]
    html = tables.overview_table(items, ["Alla", "Mot riket", "Mot 2022"], [20, 15, 10])
    assert '<th style="text-align: right">Nr</th><th>Indikator</th><th>Alla</th><th>Mot riket</th><th>Mot 2022</th>' in html
    assert '<td colspan="3" style="text-align: left; font-style: italic; color: #555555">Ingår inte' in html
    widths = [float(w) for w in re.findall(r'<col style="width: ([\d.]+)%">', html)]
    assert widths == [5, 50, 20, 15, 10]
    assert html.typst.count("table.cell") == 5 + 5 + 3


def test_question_table_scale_row_and_withheld_row():
    blocks = [("Deltagare pågående, fråga 1: Nytta?", [
        ("alla", _row(caveat="litet underlag", n=12), ""),
        ("Kvinnor, män", None, "gender_min_n"),
    ])]
    html = tables.question_table(blocks, yesno=False, prev_year=2022, reason=lambda c: f"skäl {c}", confidence=0.95)
    assert '<th style="text-align: right">Förändring mot 2022</th>' in html
    assert f"<td>Alla (n{NB}={NB}12) \u2020</td>" in html
    assert f">70{NB}% (50{NB}%)<" in html and ">35–65<" in html and f">+5,0{NB}p.e.<" in html
    assert f">↓ −3,1{NB}p.e.*<" in html  # säkerställd change marked
    assert '<td>Kvinnor, män</td><td colspan="7"' in html and ">skäl gender_min_n</td>" in html


def test_question_table_yes_no():
    row = _row(yes=0.8, key_share=0.8, negative=float("nan"), neutral=float("nan"), positive=float("nan"),
               clearly_positive=float("nan"))
    html = tables.question_table([("Q", [("alla", row, "")])], yesno=True, prev_year=2022, reason=str, confidence=0.95)
    assert '<th style="text-align: right">Ja</th><th style="text-align: right">Nej</th>' in html
    assert f">80{NB}%<" in html and f">20{NB}%<" in html


def test_response_table_with_and_without_national_column():
    r = dict(asked=1171, unreachable=59, bortfall=175, answered=996, response_rate=996 / 1171)
    html = tables.response_table([("Respondentgrupperna totalt", r, True)], {"Respondentgrupperna totalt": 0.9})
    assert f">1{NB}171<" in html and f">85{NB}%<" in html and f">90{NB}%<" in html
    assert "Svarsfrekvens riket" in html
    assert "Svarsfrekvens riket" not in tables.response_table([("x", r, False)], None)


def test_htmltable_offers_html_only():
    bundle = tables.HTMLTable("<table></table>", "T")._repr_mimebundle_()
    assert bundle == {"text/html": "<table></table>", "text/plain": "T"}


def test_interval_column_follows_confidence_with_nbsp():
    blocks = [("Q", [("alla", _row(), "")])]
    scale = tables.question_table(blocks, yesno=False, prev_year=2022, reason=str, confidence=0.9)
    assert f'<th style="text-align: right">90{NB}% KI (klart pos.)</th>' in scale and "95" not in scale
    yesno = tables.question_table(blocks, yesno=True, prev_year=2022, reason=str, confidence=0.9)
    assert f'<th style="text-align: right">90{NB}% KI (ja)</th>' in yesno
    other = tables.question_table(blocks, yesno=False, prev_year=2022, reason=str, confidence=0.975)
    assert f'<th style="text-align: right">97,5{NB}% KI (klart pos.)</th>' in other


def test_question_table_without_previous_year_has_no_change_column():
    blocks = [("Q", [("alla", _row(), ""), ("Kvinnor, män", None, "gender_min_n")])]
    html = tables.question_table(blocks, yesno=False, prev_year=None, reason=lambda c: "skäl", confidence=0.95)
    assert "Förändring" not in html and "↓" not in html
    assert html.count("<col ") == 7 and '<td>Kvinnor, män</td><td colspan="6"' in html
    widths = [float(w) for w in re.findall(r'<col style="width: ([\d.]+)%">', html)]
    assert abs(sum(widths) - 100) < 0.5




def test_caption_is_the_same_text_in_html_and_typst():
    base = html_table([["A"]], [["x"]], widths=[100])
    table = tables.with_caption(tables.HTMLTable(base, "Översikt"), '**Tabell 1.** Nyckeltal 2023 (n < 5 "dolt").')
    assert isinstance(table, tables.HTMLTable) and table.plain == "Översikt"
    html = str(table.html)
    assert html.startswith('<table class="finsam-table"><caption><strong>Tabell 1.</strong> Nyckeltal 2023 (n &lt; 5 "dolt").'
                           "</caption>\n<colgroup>")
    assert html.count("<caption>") == 1
    # Typst: the label bold, the text a string literal (never markup), before the table and kept with it.
    assert '#block(sticky: true)[#strong[#"Tabell 1."] #"Nyckeltal 2023 (n < 5 \\"dolt\\")."]\n#table(' in table.markdown
    # Plain HTML (no Typst form) gets only the HTML caption.
    plain = tables.with_caption("<table>\n<tbody></tbody></table>", "**Tabell.** Text.")
    assert plain == "<table><caption><strong>Tabell.</strong> Text.</caption>\n<tbody></tbody></table>"
    assert tables.with_caption(base, "Utan etikett.").typst.count('#block(sticky: true)[#"Utan etikett."]') == 1
