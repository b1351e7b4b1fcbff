"""Issue 16's overviews: the spine chart's data, Tabell 1's legend and footnotes, the tartan rug's cells.

Known data: the demo data (deterministic, shipped) for Sundsvall 2023, and
``finsam results`` for the tartan.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from finsam import texts
from finsam.cli import main
from finsam.reports import forbund, glance, riket

SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


@pytest.fixture(scope="module")
def sundsvall():
    return forbund.open_report("sundsvall", 2023)


def test_spine_chart_indicators_and_classes_on_known_data(sundsvall):
    items = forbund.spine_items(sundsvall)
    # The questionnaire indicators measured in 2023, in catalogue order (11 is not in the questionnaires).
    assert [it.indicator for it in items] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16]
    classes = {it.indicator: it.cls for it in items}
    assert {k for k, c in classes.items() if c == "lower"} == {7, 8}
    assert {k for k, c in classes.items() if c == "higher"} == set()
    assert {k for k, c in classes.items() if c is None} == {14, 15}  # withheld: no number, a reason
    assert all(c == "same" for k, c in classes.items() if k not in {7, 8, 14, 15})
    by = {it.indicator: it for it in items}
    assert by[14].share is None and by[14].note == "för få svar (n < 5)"
    # NNS's label stays as text, and it is a different rule: "Högre" without a difference beyond noise.
    assert by[10].label.startswith("Högre +16,6") and by[10].cls == "same"
    # Every class agrees with the results table, and the spread holds every published förbund value.
    for it in items:
        row = sundsvall.ind_rows[(it.indicator, "alla")]
        if it.cls in ("higher", "lower"):
            assert bool(row["signif_national"]) and (row["diff_national"] > 0) == (it.cls == "higher")
        if it.share is not None:
            assert it.spread[0] <= it.share <= it.spread[1]


def test_spine_chart_alt_text_names_every_indicator(sundsvall):
    fig = forbund.spine_chart(sundsvall)
    assert fig.alt.count("säkerställt lägre") == 2
    for it in forbund.spine_items(sundsvall):
        assert f"{it.indicator} {it.name}:" in fig.alt
    for c in glance.CLASSES:
        assert f"{texts.CLASS_SYMBOL[c]} {texts.CLASS_WORD[c]}" in fig.caption


def _cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html)]


def test_overview_footnotes_once_each_and_every_mark_explained(sundsvall):
    notes = glance.Footnotes()
    table = forbund.overview_table(sundsvall, notes)
    cells = _cells(table.html)
    legend = forbund._overview_legend(sundsvall, notes, table)
    # No repeated prose in the cells: a gap is an en dash with a mark.
    assert not any("ingen jämförelse" in c or "dold" in c or "för få" in c for c in cells)
    marks = {int(m.translate(SUPERSCRIPT)) for c in cells for m in re.findall(r"–([⁰¹²³⁴⁵⁶⁷⁸⁹]+)", c)}
    assert marks == set(range(1, len(notes.texts) + 1))
    assert len(set(notes.texts)) == len(notes.texts)
    for line in notes.lines():
        assert legend.count(line.split(" ", 1)[1].replace("<", "<")) == 1
    # Each symbol is explained once; the symbols used in the table are among them.
    for c in glance.CLASSES:
        assert legend.count(f"{texts.CLASS_SYMBOL[c]} {texts.CLASS_WORD[c]}") == 1
    assert "▼ −11,4" in " ".join(cells)
    assert "Mot 2022: ↑ ökat, → inom ±2 p.e., ↓ minskat, med förändringen i p.e." in legend.replace("\u00a0", " ")
    # The small-base mark is explained only because it is used.
    assert ("†" in " ".join(cells)) == ("† = litet underlag" in legend)


def test_footnotes_reuse_marks():
    f = glance.Footnotes()
    assert [f.mark("a"), f.mark("b"), f.mark("a")] == ["¹", "²", "¹"]
    assert f.lines() == ["¹ a", "² b"]
    for k in range(3, 11):
        f.mark(str(k))
    assert f.mark("10") == "¹⁰"


def test_comparison_class():
    base = {"withheld": False, "diff_national": 0.05, "signif_national": True}
    assert glance.comparison_class(pd.Series(base)) == "higher"
    assert glance.comparison_class(pd.Series({**base, "diff_national": -0.05})) == "lower"
    assert glance.comparison_class(pd.Series({**base, "signif_national": False})) == "same"
    assert glance.comparison_class(pd.Series({**base, "diff_national": float("nan")})) is None
    assert glance.comparison_class(pd.Series({**base, "withheld": True})) is None
    assert glance.comparison_class(None) is None


def test_tartan_cells_match_finsam_results(tmp_path):
    out = tmp_path / "ind.csv"
    res = CliRunner().invoke(main, ["results", "--year", "2023", "--level", "indicator", "--out", str(out)])
    assert res.exit_code == 0, res.output
    csv = pd.read_csv(out, dtype={"forbund": str})
    csv = csv.loc[(csv["gender"] == "alla") & (csv["group"] == "alla") & (csv["forbund"] != "riket")]
    rep = riket.open_report(2023)
    rows, inds, cells = riket.tartan_cells(rep)
    assert inds == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16]
    expected = {}
    for r in csv.itertuples():
        if int(r.indicator) not in inds:
            continue
        withheld = str(r.withheld).lower() == "true"
        if withheld:
            cls = "withheld"
        elif pd.isna(r.diff_national):
            cls = None
        elif str(r.signif_national).lower() == "true":
            cls = "higher" if r.diff_national > 0 else "lower"
        else:
            cls = "same"
        expected[(r.forbund, int(r.indicator))] = cls
    assert cells == expected
    assert set(rows) == {f for f, _i in expected}
    assert "withheld" in cells.values() and "higher" in cells.values() and "lower" in cells.values()
    # Withheld cells carry no number in the frame the figure is drawn from.
    frame = glance.tartan_frame(rep.results, 2023)
    assert frame.loc[frame["withheld"], "key_share"].isna().all()


def test_tartan_section_has_alt_text_with_counts():
    text, fig = riket.tartan(riket.open_report(2023))
    assert "Rutnät med 32 förbund" in fig.alt and "dolda" in fig.alt
    assert "× dolt resultat" in fig.caption
