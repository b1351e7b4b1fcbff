"""Figures (finsam.figures): deterministic PNG, fixed size, Markdown with alt text, no pyplot state."""

import base64
import re
import struct

import matplotlib
import numpy as np

from finsam import _figure_base, figures

ROWS = [
    figures.BarRow("Pågående F1", False, {"clearly_positive": 0.5, "positive_other": 0.2, "neutral": 0.2,
                                          "negative": 0.1}, (0.4, 0.6), 0.55),
    figures.BarRow("Pågående F1 kvinnor", False, None, note="för få svar (n < 5)"),
    figures.BarRow("Avslut F4", True, {"yes": 0.8, "no": 0.2}, (0.7, 0.9), 0.85),
]


def _png_size(png: bytes):
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_class_bars_deterministic_and_sized():
    a = figures.class_bars(ROWS, caption="Fig", alt="alt")
    b = figures.class_bars(ROWS, caption="Fig", alt="alt")
    assert a.png == b.png
    width, _height = _png_size(a.png)
    assert width == round(figures.WIDTH_IN * figures.DPI)
    assert b"Software" not in a.png and b"matplotlib" not in a.png.lower()


def test_rcparams_and_pyplot_untouched():
    before = dict(matplotlib.rcParams)
    figures.class_bars(ROWS, caption="Fig", alt="alt")
    assert dict(matplotlib.rcParams) == before
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []


def test_markdown_carries_alt_text_and_caption():
    fig = figures.Figure(png=b"\x89PNG", alt='Staplar "A": 50 %\nrad', caption="Indikator [1]")
    md = fig.markdown()
    assert md.startswith("![Indikator \\[1\\]](data:image/png;base64," + base64.b64encode(b"\x89PNG").decode())
    assert md.endswith('){fig-alt="Staplar \\"A\\": 50 % rad"}')
    bundle = fig._repr_mimebundle_()
    assert set(bundle) == {"text/markdown", "text/plain"} and bundle["text/plain"] == fig.alt


def test_trend_segments_split_at_breaks_and_gaps():
    assert figures._segments([2017, 2018, 2019, 2021, 2022, 2023], (2022,)) == [[2017, 2018, 2019], [2021],
                                                                                [2022, 2023]]
    panel = figures.TrendPanel("4 Test", [(2020, 0.9, 0.8, 0.95), (2022, 0.5, 0.4, 0.6)], [(2020, 0.85)], (2022,))
    fig = figures.trend_grid([panel], [2020, 2021, 2022], caption="c", alt="a")
    assert _png_size(fig.png)[0] == round(figures.WIDTH_IN * figures.DPI)


def test_funnel_runs_with_limits():
    grid = np.arange(5.0, 200.0)
    lim = [(0.95, grid, 0.5 - 1.96 * np.sqrt(0.25 / grid), 0.5 + 1.96 * np.sqrt(0.25 / grid)),
           (0.998, grid, 0.5 - 3.09 * np.sqrt(0.25 / grid), 0.5 + 3.09 * np.sqrt(0.25 / grid))]
    a = figures.funnel([("A", 50, 0.9), ("B", 100, 0.5)], 0.5, lim, caption="c", alt="a", label_outside=0.998)
    b = figures.funnel([("A", 50, 0.9), ("B", 100, 0.5)], 0.5, lim, caption="c", alt="a", label_outside=0.998)
    assert a.png == b.png
    assert re.match(r"!\[c\]\(data:image/png;base64,[A-Za-z0-9+/=]+\)\{fig-alt=\"a\"\}$", a.markdown())


NB = "\u00a0"


def test_alt_text_keeps_non_breaking_spaces():
    fig = figures.Figure(png=b"\x89PNG", alt=f"Pågående F1: ja 80{NB}%,\n n{NB}={NB}64", caption="c")
    assert fig.markdown().endswith(f'{{fig-alt="Pågående F1: ja 80{NB}%, n{NB}={NB}64"}}')


def test_legends_follow_confidence_and_show_a_break_only_when_drawn():
    labels = [h.get_label() for h in figures._bar_legend(True, False, 0.9)]
    assert f"90{NB}% KI, nyckeltal" in labels and not any("95" in x for x in labels)
    assert f"95{NB}% KI, nyckeltal" in [h.get_label() for h in figures._bar_legend(False, True, None)]
    plain = [h.get_label() for h in figures._trend_legend(0.9, False)]
    assert plain == [f"Förbundet, nyckeltal med 90{NB}% KI", "Rikssnitt"]
    assert figures._trend_legend(0.9, True)[-1].get_label() == "Brott i serien"
    no_break = figures.TrendPanel("1 A", [(2022, 0.5, 0.4, 0.6)], [], ())
    brk = figures.TrendPanel("2 B", [(2022, 0.5, 0.4, 0.6)], [], (2022,))
    assert not figures.has_breaks([no_break]) and figures.has_breaks([no_break, brk])


def _drawn_legend(fig, key, handles, ncols):
    fig.legend(handles=handles, loc="lower center", ncols=ncols, frameon=False)


def test_pasted_legends_are_byte_identical_to_drawn_ones(monkeypatch):
    """A legend drawn once and pasted gives the same PNG as the figure drawing its own legend."""
    rows_yesno = [r for r in ROWS if r.yesno or r.shares is None]
    panels = [figures.TrendPanel("1 Test", [(2020, 0.5, 0.4, 0.6), (2021, 0.6, 0.5, 0.7)], [(2020, 0.55)], (2021,)),
              figures.TrendPanel("2 Test", [(2020, 0.3, 0.2, 0.4)], [(2020, 0.35)])]

    class Item:
        def __init__(self, i, cls):
            self.indicator, self.name, self.cls, self.label, self.note = i, f"Indikator {i}", cls, "Högre", ""
            self.share, self.low, self.high, self.national, self.spread = 0.5, 0.4, 0.6, 0.45, (0.2, 0.8)

    items = [Item(1, "higher"), Item(2, "same"), Item(3, None)]
    words = {"higher": "Högre", "same": "Som riket", "lower": "Lägre"}

    def draw_all():
        return [figures.class_bars(ROWS, caption="c", alt="a").png,
                figures.class_bars(rows_yesno, caption="c", alt="a", confidence=0.9).png,
                figures.class_bars(ROWS[::-1], caption="c", alt="a").png,
                figures.trend_grid(panels, [2020, 2021], caption="c", alt="a").png,
                figures.spine_chart(items, caption="c", alt="a", class_words=words, spread_label="Spridning").png]

    monkeypatch.setattr(_figure_base, "SKELETON_CACHE", 0)  # each figure drawn whole: the legend is what differs
    figures._LEGENDS.clear()
    pasted = draw_all()
    assert len(figures._LEGENDS) == 4  # the third figure reuses the first one's legend
    monkeypatch.setattr(figures, "_paste_legend", _drawn_legend)
    assert draw_all() == pasted


def test_a_pasted_legend_follows_changed_rcparams(monkeypatch):
    """A notebook that changes a default gets the legend a fresh kernel would draw, not an earlier one."""
    monkeypatch.setattr(_figure_base, "SKELETON_CACHE", 0)
    figures.class_bars(ROWS, caption="c", alt="a")  # cached with the defaults
    with matplotlib.rc_context({"lines.markeredgewidth": 3.0, "patch.linewidth": 4.0}):
        pasted = figures.class_bars(ROWS, caption="c", alt="a").png
        monkeypatch.setattr(figures, "_paste_legend", _drawn_legend)
        assert figures.class_bars(ROWS, caption="c", alt="a").png == pasted


def _bar_rows(k: int) -> list:
    """Rows with the labels of ``ROWS`` and data varying with ``k`` (same skeleton, other bars)."""
    a = 0.1 + 0.05 * k
    return [
        figures.BarRow("Pågående F1", False, {"clearly_positive": a, "positive_other": 0.2, "neutral": 0.3,
                                              "negative": 0.5 - a}, (a - 0.05, a + 0.1), 0.3 + a),
        figures.BarRow("Pågående F1 kvinnor", False, None, note="för få svar (n < 5)") if k % 2 else
        figures.BarRow("Pågående F1 kvinnor", False, {"clearly_positive": 0.6, "positive_other": 0.1,
                                                      "neutral": 0.1, "negative": 0.2}, None, None),
        figures.BarRow("Avslut F4", True, {"yes": 1 - a, "no": a}, (0.5, 0.95), None if k % 3 else 0.7),
    ]


def _spine_items(k: int) -> list:
    class Item:
        def __init__(self, i, cls, share):
            self.indicator, self.name, self.cls, self.note = i, f"Indikator {i}", cls, ""
            self.label = {"higher": "Högre", "lower": "Lägre"}.get(cls, "")
            self.share, self.low, self.high, self.national = share, share - 0.1, share + 0.1, 0.5
            self.spread = (0.2, 0.8) if i != 2 else None

    items = [Item(1, "higher", 0.6 + 0.02 * k), Item(2, "lower" if k % 2 else "higher", 0.3), Item(3, "higher", 0.7)]
    if k % 2:
        items[2].share, items[2].note = None, "för få svar"
    return items


def _figure_sequence() -> list[bytes]:
    """Figures whose static parts repeat (skeleton hits) with other data, interleaved with other skeletons."""
    words = {"higher": "Högre", "same": "Som riket", "lower": "Lägre"}
    out = []
    for k in range(4):
        panels = [figures.TrendPanel("1 A", [(2020, 0.3 + 0.1 * k, 0.2, 0.5), (2021, 0.6, 0.5, 0.7)], [(2020, 0.55)],
                                     (2021,) if k == 2 else ()),
                  figures.TrendPanel("2 B", [(2021, 0.2 * k, None, None)], [(2020, 0.35), (2021, 0.4)])]
        out += [figures.class_bars(_bar_rows(k), caption="c", alt="a").png,
                figures.trend_grid(panels, [2020, 2021], caption="c", alt="a").png,
                figures.spine_chart(_spine_items(k), caption="c", alt="a", class_words=words,
                                    spread_label="Spridning").png,
                figures.class_bars(_bar_rows(k)[:2], caption="c", alt="a", confidence=0.9).png]
    return out


def test_reused_skeletons_give_the_bytes_of_figures_drawn_whole(monkeypatch):
    """Axes, ticks and legend drawn once per kernel and reused: the same PNG as building and drawing each figure.

    Each skeleton is used four times with other bars, notes, markers and break
    lines; a data artist left over from an earlier figure, a static artist
    drawn in the wrong order or a background drawn with the data would change
    pixels.
    """
    _figure_base._SKELETONS.clear()
    reused = _figure_sequence()
    assert len(_figure_base._SKELETONS) == 6  # 2 of each: row sets of the bars, legends of the grid and spine
    monkeypatch.setattr(_figure_base, "SKELETON_CACHE", 2)  # skeletons dropped and built again
    _figure_base._SKELETONS.clear()
    evicted = _figure_sequence()
    assert len(_figure_base._SKELETONS) == 2
    monkeypatch.setattr(_figure_base, "SKELETON_CACHE", 0)
    whole = _figure_sequence()
    assert [i for i, (a, b) in enumerate(zip(reused, whole)) if a != b] == []
    assert evicted == whole
    assert len(set(whole)) == len(whole)  # every figure differs: the comparison sees the data


def test_a_figure_that_fails_leaves_its_skeleton_clean(monkeypatch):
    """Bars added before an error are not drawn into the next figure with the same skeleton."""
    _figure_base._SKELETONS.clear()
    good = figures.class_bars(_bar_rows(0), caption="c", alt="a").png
    bad = _bar_rows(0)
    bad[2] = figures.BarRow("Avslut F4", True, {"yes": "x", "no": 0.6}, (0.5, 0.9), 0.7)  # after the scale rows' bars
    try:
        figures.class_bars(bad, caption="c", alt="a")
    except ValueError:
        pass
    else:
        raise AssertionError("the bad share should fail")
    assert figures.class_bars(_bar_rows(0), caption="c", alt="a").png == good


def test_a_changed_rcparam_gets_a_new_skeleton():
    """A notebook that changes a default is drawn as a fresh kernel would draw it, not from an earlier skeleton."""
    _figure_base._SKELETONS.clear()
    default = figures.class_bars(_bar_rows(1), caption="c", alt="a").png
    with matplotlib.rc_context({"xtick.color": "#ff0000", "axes.edgecolor": "#00ff00"}):
        changed = figures.class_bars(_bar_rows(1), caption="c", alt="a").png
    assert changed != default and len(_figure_base._SKELETONS) == 2
    assert figures.class_bars(_bar_rows(1), caption="c", alt="a").png == default


def test_skeletons_under_changed_settings_give_the_bytes_of_figures_drawn_whole(monkeypatch):
    """Settings a notebook may change that the partial draw cannot follow: it draws those figures whole.

    ``savefig`` settings and a layout engine act only in ``savefig``; a property
    cycle with line styles moves on with every line a figure plots.
    """
    from cycler import cycler

    changed = [{"savefig.bbox": "tight"}, {"savefig.transparent": True}, {"savefig.facecolor": "#eeeeee"},
               {"figure.autolayout": True},
               {"axes.prop_cycle": cycler(color=["#111111", "#222222"]) + cycler(linestyle=["-", "--"])}]
    for rc in changed:
        with matplotlib.rc_context(rc):
            _figure_base._SKELETONS.clear()
            monkeypatch.setattr(_figure_base, "SKELETON_CACHE", 48)
            reused = _figure_sequence()
            monkeypatch.setattr(_figure_base, "SKELETON_CACHE", 0)
            whole = _figure_sequence()
        assert [i for i, (a, b) in enumerate(zip(reused, whole)) if a != b] == [], rc


def test_class_bars_with_the_same_rows_but_another_legend_get_their_own_skeleton(monkeypatch):
    """The legend (confidence level) is part of the skeleton's key, not only the rows' labels."""
    _figure_base._SKELETONS.clear()
    reused = [figures.class_bars(_bar_rows(0), caption="c", alt="a", confidence=c).png for c in (0.95, 0.9, 0.95)]
    monkeypatch.setattr(_figure_base, "SKELETON_CACHE", 0)
    whole = [figures.class_bars(_bar_rows(0), caption="c", alt="a", confidence=c).png for c in (0.95, 0.9, 0.95)]
    assert reused == whole and reused[0] != reused[1]
