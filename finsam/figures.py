"""Figures for the reports: matplotlib, deterministic, colour-blind safe, Swedish.

How a figure reaches the reader
-------------------------------
Quarto reads the alt text of a notebook *image* output only from the static
``fig-alt`` cell option (``mdImageOutput`` in quarto-cli's ``jupyter.ts``);
display metadata is ignored. Our alt texts are generated from the data, so a
figure is emitted as a ``text/markdown`` output instead::

    ![Caption](data:image/png;base64,...){fig-alt="Alt text"}

Quarto prefers ``text/markdown`` for Typst (and takes it after ``text/html`` for
HTML, which we do not offer), so one output serves both formats: HTML gets an
``<img alt=...>`` inside a ``<figure>``, Typst gets the PNG (Quarto ≥ 1.5 writes
data-URI images to files for Typst, quarto-cli PR #9723). The ``text/plain``
fallback is the alt text itself.

Determinism: figures are built with the object API (``matplotlib.figure.Figure``
on an explicit Agg canvas — never pyplot, so no global figure state, no inline
backend display and no need for ``matplotlib.use``), inside an ``rc_context``
with our style (fixed ``svg.hashsalt``, fonts), with fixed size and dpi set
here, and saved with PNG metadata without the matplotlib version
(``{"Software": None}``). A warm kernel that resets rcParams between notebooks
therefore cannot change a figure.

Speed (issue 17, ``benchmarks/figures_bench.py``): the class bars, the trend
grid and the spine chart keep their static part (axes, ticks, labels, grid,
legend) per kernel as a *skeleton* whose pixels are drawn once; each figure
adds its data artists and draws only those and what lies above them
(:func:`finsam._figure_base._skeleton`, byte-identical PNGs). A figure-wide
legend is drawn once per kernel and pasted as pixels (:func:`_paste_legend`);
layouts are fixed (``subplots_adjust``, no layout engine and hence no second
drawing pass); bars are one collection per colour; shared axes are set once;
the garbage collector pauses while a figure is built.

Figures never receive withheld numbers: callers pass only published rows; a
withheld row is drawn as an empty bar with its reason text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from . import fmt, texts
from ._figure_base import (  # noqa: F401 - re-exported
    WIDTH_IN,
    DPI,
    OKABE_ITO,
    CLASS_STYLE,
    YESNO_STYLE,
    _RC,
    _styled,
    _new_figure,
    _hbars,
    _pct_axis,
    _confidence,
    _escape_md,
    _escape_attr,
    png_bytes,
    Figure,
    _LEGENDS,
    _render_legend,
    _paste_legend,
    _skeleton,
)

def _row_figure(labels: tuple, height: float, *, left: float, right: float, top_in: float, legend_in: float,
                grid: str):
    """One Axes with a row per label (top to bottom) on a 0–100 % x axis, its grid below the data.

    The skeleton of :func:`class_bars` and :func:`spine_chart`; room for the
    legend (``legend_in`` inches) is left at the bottom.
    """
    n = len(labels)
    fig = _new_figure(WIDTH_IN, height)
    ax = fig.subplots()
    fig.subplots_adjust(left=left, right=right, top=1 - top_in / height, bottom=(legend_in + 0.22) / height)
    ax.set_yticks(np.arange(n), labels)
    _pct_axis(ax, "x")
    ax.set_ylim(n - 0.5, -0.5)
    ax.grid(axis="x", color=grid, linewidth=0.5)
    ax.set_axisbelow(True)
    return fig


# -- stacked class bars ----------------------------------------------------------------
@dataclass(frozen=True)
class BarRow:
    """One bar of :func:`class_bars`.

    ``shares`` maps class → share for a shown row; for a withheld row it is
    ``None`` and ``note`` holds the reason text drawn instead of the bar.
    ``interval`` is the key share's (low, high); ``national`` the national key
    share (or ``None``).
    """

    label: str
    yesno: bool
    shares: dict | None
    interval: tuple[float, float] | None = None
    national: float | None = None
    note: str = ""


def _bar_legend(any_scale: bool, any_yesno: bool, confidence: float | None) -> list:
    """Legend handles of :func:`class_bars` (the interval named by its confidence level)."""
    handles = []
    if any_scale:
        both = {"clearly_positive": " / ja", "negative": " / nej"} if any_yesno else {}
        handles += [Patch(color=c, label=lab + both.get(k, "")) for k, lab, c in CLASS_STYLE]
    elif any_yesno:
        handles += [Patch(color=c, label=lab) for _k, lab, c in YESNO_STYLE]
    handles += [
        Line2D([0], [0], color="black", linewidth=1.0, label=f"{fmt.ci_label(_confidence(confidence))}, nyckeltal"),
        Line2D([0], [0], marker="D", color="black", linestyle="none", markersize=4, label="Rikssnitt, nyckeltal"),
    ]
    return handles


@_styled
def class_bars(rows: list[BarRow], *, caption: str, alt: str, confidence: float | None = None) -> Figure:
    """Horizontal stacked bars of the answer classes, one per row.

    The key share (klart positivt or ja) starts at 0 so its interval is drawn at
    its right edge; the national key share is a black diamond. ``confidence``
    (``settings.confidence``) names the interval in the legend.
    """
    n = len(rows)
    legend_in, top_in = 0.5, 0.08
    height = legend_in + top_in + 0.27 * n + 0.3
    labels = tuple(r.label for r in rows)
    label_in = 0.15 + 0.056 * max((len(label) for label in labels), default=5)
    shown = [(i, r) for i, r in enumerate(rows) if r.shares is not None]
    any_yesno = any(r.yesno for _i, r in shown)
    any_scale = any(not r.yesno for _i, r in shown)
    legend = ("bars", any_scale, any_yesno, _confidence(confidence))

    def build():
        fig = _row_figure(labels, height, left=min(0.5, label_in / WIDTH_IN), right=0.96, top_in=top_in,
                          legend_in=legend_in, grid="#dddddd")
        handles = _bar_legend(any_scale, any_yesno, confidence)
        _paste_legend(fig, legend, handles, min(len(handles), 4))
        return fig

    # Axes, ticks, labels, grid and legend are the same for every förbund with the same rows.
    sk = _skeleton((legend, labels), build, split=1)
    ax = sk.fig.axes[0]
    for yesno, style in ((False, CLASS_STYLE), (True, YESNO_STYLE)):
        part = [(i, r) for i, r in shown if r.yesno == yesno]
        if not part:
            continue
        idx = np.array([i for i, _r in part])
        left = np.zeros(len(part))
        for key, _label, color in style:
            widths = np.array([float(r.shares.get(key, 0.0) or 0.0) for _i, r in part])
            _hbars(ax, idx, widths, left, 0.62, color)
            left = left + widths
    for i, row in enumerate(rows):
        if row.shares is None:
            ax.text(0.01, i, row.note, va="center", ha="left", fontsize=7, style="italic", color="#444444")
    iv = [(i, r.interval) for i, r in shown if r.interval is not None]
    if iv:
        ys = np.array([i for i, _v in iv], dtype=float)
        lo = np.array([v[0] for _i, v in iv])
        hi = np.array([v[1] for _i, v in iv])
        ax.hlines(ys, lo, hi, color="black", linewidth=1.0)
        ax.vlines(np.concatenate([lo, hi]), np.concatenate([ys, ys]) - 0.18, np.concatenate([ys, ys]) + 0.18,
                  color="black", linewidth=1.0)
    nat = [(i, r.national) for i, r in shown if r.national is not None]
    if nat:
        ax.plot([v for _i, v in nat], [i for i, _v in nat], marker="D", markersize=4, color="black",
                markeredgecolor="white", markeredgewidth=0.6, linestyle="none")
    return Figure(sk.png(), alt=alt, caption=caption)


# -- development over time -------------------------------------------------------------
@dataclass(frozen=True)
class TrendPanel:
    """One small multiple of :func:`trend_grid`.

    ``points``: list of (year, share, low, high) for the förbund (shown values
    only); ``national``: list of (year, share); ``breaks``: years from which the
    questions differ from the year before (a dashed line is drawn before them
    and lines are not joined across them).
    """

    title: str
    points: list
    national: list
    breaks: tuple = ()


def _segments(xs, breaks):
    """Split sorted years into runs of consecutive years not crossing a break."""
    runs, current = [], []
    for x in xs:
        if current and (x - current[-1] > 1 or any(current[-1] < b <= x for b in breaks)):
            runs.append(current)
            current = []
        current.append(x)
    if current:
        runs.append(current)
    return runs


def _trend_legend(confidence: float | None, with_break: bool) -> list:
    """Legend handles of :func:`trend_grid`; the question-change line only when one is drawn."""
    handles = [
        Line2D([0], [0], color=OKABE_ITO["blue"], marker="o", markersize=3,
               label=f"Förbundet, nyckeltal med {fmt.ci_label(_confidence(confidence))}"),
        Line2D([0], [0], color="black", linestyle=":", label="Rikssnitt"),
    ]
    if with_break:
        handles.append(Line2D([0], [0], color=OKABE_ITO["vermillion"], linestyle="--", label="Brott i serien"))
    return handles


def has_breaks(panels: list[TrendPanel]) -> bool:
    """Does :func:`trend_grid` draw a question-change line for these panels?"""
    return any(panel.breaks for panel in panels)


@_styled
def trend_grid(panels: list[TrendPanel], years: list[int], *, caption: str, alt: str, ncols: int = 3,
               confidence: float | None = None) -> Figure:
    """Key share per indicator over the years: small multiples with intervals.

    ``confidence`` (``settings.confidence``) names the intervals in the legend.
    """
    nrows = max(1, int(np.ceil(len(panels) / ncols)))
    height = 1.35 * nrows + 0.55
    titles = tuple(panel.title for panel in panels)
    legend = ("trend", _confidence(confidence), has_breaks(panels))

    def build():
        fig = _new_figure(WIDTH_IN, height)
        axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
        fig.subplots_adjust(left=0.09, right=0.99, top=1 - 0.25 / height, bottom=0.55 / height, hspace=0.45,
                            wspace=0.12)
        for ax, title in zip(axes.flat, titles):
            ax.set_title(title, loc="left", y=1.0)  # fixed: no title placement pass per panel
            ax.grid(axis="y", color="#e5e5e5", linewidth=0.5)
        for ax in list(axes.flat)[len(titles):]:
            ax.set_visible(False)
        shown_years = years if len(years) <= 5 else [y for y in years if (y - years[0]) % 2 == 0]
        # The panels share both axes (limits, locators and formatters): set them once.
        first = axes.flat[0]
        _pct_axis(first, "y", 0.5)
        first.set_xlim(min(years) - 0.5, max(years) + 0.5)
        first.set_xticks(shown_years, [str(y) for y in shown_years])
        handles = _trend_legend(confidence, legend[2])
        _paste_legend(fig, legend, handles, len(handles))
        return fig

    # The panels' axes, titles, grids and the legend are the same for every förbund with the same indicators.
    sk = _skeleton((legend, ncols, titles, tuple(years)), build, split=2)
    color = OKABE_ITO["blue"]
    for ax, panel in zip(sk.fig.axes, panels):
        by_year = {p[0]: p for p in panel.points}
        for run in _segments(sorted(by_year), panel.breaks):
            ax.plot(run, [by_year[x][1] for x in run], color=color, linewidth=1.2, marker="o", markersize=3)
        bars = [(x, lo, hi) for x, _s, lo, hi in panel.points if lo is not None and hi is not None]
        if bars:
            xs, los, his = zip(*bars)
            ax.vlines(xs, los, his, color=color, linewidth=0.9, alpha=0.8)
        nat = {p[0]: p[1] for p in panel.national}
        for run in _segments(sorted(nat), panel.breaks):
            ax.plot(run, [nat[x] for x in run], color=OKABE_ITO["black"], linewidth=0.9, linestyle=":")
        for b in panel.breaks:
            ax.axvline(b - 0.5, color=OKABE_ITO["vermillion"], linewidth=0.9, linestyle="--")
    return Figure(sk.png(), alt=alt, caption=caption)


# -- funnel plot -----------------------------------------------------------------------
@_styled
def funnel(points: list[tuple[str, int, float]], national: float, limits: list[tuple[float, list, list, list]],
           *, caption: str, alt: str, highlight: str | None = None, label_outside: float | None = None) -> Figure:
    """Funnel plot: each förbund's key share against its n with control limits.

    Parameters
    ----------
    points : list of (label, n, share)
        Shown förbund only.
    national : float
        The national share (centre line).
    limits : list of (coverage, n_grid, lower, upper)
        Control limits per coverage (e.g. 0.95 and 0.998) on a grid of n.
    highlight : str, optional
        Label of a förbund drawn in a contrasting colour.
    label_outside : float, optional
        Label points outside the limits of this coverage.
    """
    fig = _new_figure(WIDTH_IN, 3.4)
    ax = fig.subplots()
    # A fixed layout (what the constrained layout engine found for these axes, whose
    # tick labels are "0 %" … "100 %"): the engine costs a second drawing pass and a
    # solve, about half of the figure's CPU.
    fig.subplots_adjust(left=0.101, right=0.985, bottom=0.195, top=0.977)
    styles = {0: ("--", OKABE_ITO["grey"]), 1: ("-", OKABE_ITO["vermillion"])}
    handles = []
    for k, (coverage, grid, lower, upper) in enumerate(sorted(limits)):
        ls, col = styles.get(k, ("-", "black"))
        ax.plot(grid, lower, linestyle=ls, color=col, linewidth=0.9)
        ax.plot(grid, upper, linestyle=ls, color=col, linewidth=0.9)
        handles.append(Line2D([0], [0], linestyle=ls, color=col, label=f"{fmt.level(coverage)}-gräns"))
    ax.axhline(national, color="black", linewidth=0.9)
    handles.append(Line2D([0], [0], color="black", label=f"Rikssnitt {fmt.pct(national)}"))
    xs = [p[1] for p in points]
    ys = [p[2] for p in points]
    ax.scatter(xs, ys, s=14, color=OKABE_ITO["blue"], edgecolor="white", linewidth=0.4, zorder=3)
    outer = None
    if label_outside is not None:
        for coverage, grid, lower, upper in limits:
            if abs(coverage - label_outside) < 1e-9:
                outer = (np.asarray(grid), np.asarray(lower), np.asarray(upper))
    for label, n, share in points:
        is_out = False
        if outer is not None:
            lo = np.interp(n, outer[0], outer[1])
            hi = np.interp(n, outer[0], outer[2])
            is_out = share < lo or share > hi
        if label == highlight:
            ax.scatter([n], [share], s=30, color=OKABE_ITO["vermillion"], edgecolor="black", linewidth=0.6, zorder=4)
        if is_out or label == highlight:
            ax.annotate(label, (n, share), xytext=(3, 3), textcoords="offset points", fontsize=6.5)
    if xs:
        ax.set_xlim(0, max(max(xs), max(max(g) for _c, g, _l, _u in limits) if limits else 0) * 1.05)
    _pct_axis(ax, "y")
    ax.set_xlabel("Antal svar (n)")
    ax.set_ylabel("Nyckeltal")
    ax.grid(color="#eeeeee", linewidth=0.5)
    ax.set_axisbelow(True)
    fig.legend(handles=handles, loc="lower center", ncols=len(handles), frameon=False)
    return Figure(png_bytes(fig), alt=alt, caption=caption)


# -- spine chart (one förbund against the country) ---------------------------------------
#: Colour of a comparison class (text-safe on white, WCAG AA ≥ 4.5:1); the symbols differ too.
CLASS_COLOR = {"higher": OKABE_ITO["blue"], "same": "#6F6F6F", "lower": "#B84F00"}
#: Marker of a comparison class (matches :data:`finsam.texts.CLASS_SYMBOL`).
CLASS_MARKER = {"higher": "^", "same": "o", "lower": "v"}
#: Band of the spread of all förbund.
SPREAD_COLOR = "#DDDDDD"


def _class_handles(classes: dict, words: dict) -> list:
    return [Line2D([0], [0], marker=CLASS_MARKER[c], color=CLASS_COLOR[c], linestyle="none", markersize=5,
                   markerfacecolor="white" if c == "same" else CLASS_COLOR[c], label=words[c])
            for c in classes]


def _spine_legend(classes: tuple, words: tuple, spread_label: str, confidence: float) -> list:
    """Legend handles of :func:`spine_chart`."""
    return _class_handles(classes, dict(zip(classes, words))) + [
        Line2D([0], [0], color="#444444", linewidth=1.3, label=fmt.ci_label(confidence)),
        Line2D([0], [0], marker="|", markersize=9, markeredgewidth=1.6, color="black", linestyle="none",
               label="Rikssnitt"),
        Patch(color=SPREAD_COLOR, label=spread_label),
    ]


@_styled
def spine_chart(items: list, *, caption: str, alt: str, class_words: dict, spread_label: str,
                confidence: float | None = None) -> Figure:
    """Every indicator's key share with its interval against the country, one row each.

    Parameters
    ----------
    items : list
        Objects with ``indicator`` (number), ``name``, ``share``, ``low``, ``high``, ``national``,
        ``spread`` ((min, max) or None), ``cls`` (``"higher"``, ``"same"``,
        ``"lower"`` or None), ``label`` (NNS's label as text, drawn at the
        right) and ``note`` (drawn instead of a withheld value), e.g.
        :class:`finsam.reports.glance.SpineItem`.
    class_words : dict
        Comparison class → legend text.
    spread_label : str
        Legend text of the grey band (the spread of all förbund).
    confidence : float, optional
        Names the interval in the legend (``settings.confidence``).
    """
    n = len(items)
    legend_in, top_in = 0.55, 0.08
    height = legend_in + top_in + 0.26 * n + 0.3
    names = tuple(f"{it.indicator} {it.name}" for it in items)
    label_in = 0.15 + 0.052 * max((len(name) for name in names), default=5)
    classes = tuple(c for c in ("higher", "same", "lower") if any(it.cls == c for it in items))
    words = tuple(class_words[c] for c in classes)
    conf = _confidence(confidence)
    legend = ("spine", classes, words, spread_label, conf)

    def build():
        fig = _row_figure(names, height, left=min(0.36, label_in / WIDTH_IN), right=0.70, top_in=top_in,
                          legend_in=legend_in, grid="#e5e5e5")
        _paste_legend(fig, legend, _spine_legend(classes, words, spread_label, conf), 3)
        return fig

    # The indicators' names, axes and legend are the same for every förbund of a year.
    sk = _skeleton((legend, names), build, split=1)
    ax = sk.fig.axes[0]
    spread = [(i, it.spread) for i, it in enumerate(items) if it.spread is not None]
    if spread:
        _hbars(ax, [i for i, _s in spread], [s[1] - s[0] for _i, s in spread], [s[0] for _i, s in spread], 0.5,
               SPREAD_COLOR, edge=0)
    for i, it in enumerate(items):
        if it.share is None:
            ax.text(0.01, i, it.note, va="center", ha="left", fontsize=7, style="italic", color="#444444")
            continue
        color = CLASS_COLOR.get(it.cls, "black")
        ax.hlines(i, it.low, it.high, color=color, linewidth=1.3)
        if it.national is not None:
            ax.plot([it.national], [i], marker="|", markersize=11, markeredgewidth=1.6, color="black",
                    linestyle="none")
        marker = CLASS_MARKER.get(it.cls, "D")
        face = "white" if it.cls in (None, "same") else color
        ax.plot([it.share], [i], marker=marker, markersize=6, color=color, markerfacecolor=face,
                markeredgewidth=1.1, linestyle="none", zorder=3)
        if it.label:
            ax.annotate(it.label, (1.02, i), xycoords=("axes fraction", "data"), va="center", ha="left",
                        fontsize=6.5, color=CLASS_COLOR.get(it.cls, "black"), annotation_clip=False)
    return Figure(sk.png(), alt=alt, caption=caption)


# -- tartan rug (förbund × indicators) ----------------------------------------------------
@_styled
def tartan(rows: list[str], columns: list[str], cells: dict, *, caption: str, alt: str, class_words: dict,
           withheld_label: str, none_label: str) -> Figure:
    """A grid of förbund (rows) × indicators (columns), each cell coloured and marked by its class.

    Parameters
    ----------
    rows, columns : list of str
        Row labels (förbund) and column labels (indicator numbers).
    cells : dict
        (row index, column index) → ``"higher"``, ``"same"``, ``"lower"``,
        ``"withheld"`` (drawn hatched with ×) or ``None`` (no comparison: a dot).
        A missing key is an empty cell (no result at all).
    """
    nr, nc = len(rows), len(columns)
    height = 0.55 + 0.16 * nr + 0.6
    fig = _new_figure(WIDTH_IN, height)
    ax = fig.subplots()
    label_in = 0.15 + 0.05 * max((len(r) for r in rows), default=5)
    fig.subplots_adjust(left=min(0.45, label_in / WIDTH_IN), right=0.98, top=1 - 0.4 / height,
                        bottom=0.6 / height)
    fill = {"higher": OKABE_ITO["blue"], "lower": "#D55E00", "same": "#E8E8E8"}
    mark_color = {"higher": "white", "lower": "white", "same": "#444444"}
    for (i, j), cls in sorted(cells.items()):
        if cls == "withheld":
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="white",
                                                      edgecolor="#999999", hatch="////", linewidth=0))
            ax.text(j, i, "×", ha="center", va="center", fontsize=6, color="#333333")
            continue
        if cls is None:
            ax.text(j, i, texts.NO_CLASS_SYMBOL, ha="center", va="center", fontsize=7, color="#333333")
            continue
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=fill[cls],
                                                  edgecolor="white", linewidth=0.8))
        ax.text(j, i, texts.CLASS_SYMBOL[cls], ha="center", va="center", fontsize=5.5,
                color=mark_color[cls])
    ax.set_xlim(-0.5, nc - 0.5)
    ax.set_ylim(nr - 0.5, -0.5)
    ax.set_xticks(np.arange(nc), columns)
    ax.xaxis.tick_top()
    ax.set_yticks(np.arange(nr), rows)
    ax.tick_params(length=0, labelsize=6.5)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    handles = [Patch(facecolor=fill[c], edgecolor="#999999", label=f"{texts.CLASS_SYMBOL[c]} {class_words[c]}") for c in ("higher", "same", "lower")]
    handles += [Patch(facecolor="white", edgecolor="#999999", hatch="////", label=f"× {withheld_label}"),
                Patch(facecolor="white", edgecolor="white", label=f"{texts.NO_CLASS_SYMBOL} {none_label}")]
    fig.legend(handles=handles, loc="lower center", ncols=3, frameon=False)
    return Figure(png_bytes(fig), alt=alt, caption=caption)
