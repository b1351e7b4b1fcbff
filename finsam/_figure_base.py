"""The figures' common ground: size, palette, style, PNG bytes, the displayed
:class:`Figure`, legends drawn once per kernel (:func:`_paste_legend`) and
figure skeletons whose static part is drawn once per kernel (:func:`_skeleton`).

Private to :mod:`finsam.figures`, which re-exports what callers use.
"""

from __future__ import annotations

import base64
import functools
import gc
import hashlib
import io
from collections import OrderedDict
from dataclasses import dataclass
from operator import attrgetter

import matplotlib
import matplotlib.image
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure as _MplFigure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MultipleLocator

from . import escape, fmt
from .settings import DEFAULT_SETTINGS

#: Figure width in inches (A4 text width with 2,5 cm margins ≈ 16 cm ≈ 6.3 in).
WIDTH_IN = 6.3
#: Resolution of the embedded PNGs.
DPI = 150

#: Okabe–Ito colour-blind-safe palette (Okabe & Ito 2008).
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}

#: Segment colours of the stacked class bars, in drawing order (left to right).
CLASS_STYLE = (
    ("clearly_positive", "Klart positivt", OKABE_ITO["blue"]),
    ("positive_other", "Positivt i övrigt", OKABE_ITO["sky_blue"]),
    ("neutral", "Varken eller", "#CFCFCF"),
    ("negative", "Negativt", OKABE_ITO["orange"]),
)
YESNO_STYLE = (
    ("yes", "Ja", OKABE_ITO["blue"]),
    ("no", "Nej", OKABE_ITO["orange"]),
)

_RC = {
    "svg.hashsalt": "finsam",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": True,
    "path.simplify": True,
}


def _styled(func):
    """Run a figure function inside our rc_context (rcParams are read at creation).

    The cyclic garbage collector is paused while the figure is built and
    rendered: a figure allocates tens of thousands of short-lived objects, and
    in a kernel holding the data each collection they trigger scans the whole
    heap (≈ 8 % of a figure's CPU). Collection resumes afterwards as usual.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        paused = gc.isenabled()
        gc.disable()
        try:
            with matplotlib.rc_context(_RC):
                return func(*args, **kwargs)
        finally:
            if paused:
                gc.enable()

    return wrapper


def _new_figure(width: float, height: float):
    fig = _MplFigure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _hbars(ax, y, widths, left, height: float, color: str, edge: float = 0.5) -> None:
    """Horizontal bars as one collection (as ``barh`` draws them, without an artist per bar).

    ``barh`` builds a ``Rectangle``, its transforms and the data limits per bar;
    the callers set both axis limits themselves, so one collection of the same
    rectangles (white 0.5 pt edges) draws the same bars at a fraction of the cost.
    """
    x0 = np.asarray(left, dtype=float)
    x1 = x0 + np.asarray(widths, dtype=float)
    y0 = np.asarray(y, dtype=float) - height / 2
    y1 = y0 + height
    verts = np.stack([np.column_stack([x0, y0]), np.column_stack([x0, y1]), np.column_stack([x1, y1]),
                      np.column_stack([x1, y0])], axis=1)
    edges = {"edgecolors": "white", "linewidths": edge} if edge else {"edgecolors": "none", "linewidths": 0}
    ax.add_collection(PolyCollection(verts, closed=True, facecolors=color, **edges), autolim=False)


def _pct_axis(ax, axis: str = "x", step: float = 0.25) -> None:
    formatter = FuncFormatter(lambda v, _pos: fmt.pct(v))
    if axis == "x":
        ax.xaxis.set_major_formatter(formatter)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_locator(MultipleLocator(step))
    else:
        ax.yaxis.set_major_formatter(formatter)
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_locator(MultipleLocator(step))


def _confidence(confidence: float | None) -> float:
    """The given confidence level, or the default of ``settings.toml``."""
    return DEFAULT_SETTINGS.confidence if confidence is None else float(confidence)


def _escape_md(text: str) -> str:
    return escape.markdown(text, limit=None)


def _escape_attr(text: str) -> str:
    """Escape a Pandoc attribute value (:func:`finsam.escape.attribute`)."""
    return escape.attribute(text)


#: PNG metadata of every figure: no matplotlib version (the bytes must not change with it).
_PNG_METADATA = {"Software": None}


def png_bytes(fig) -> bytes:
    """Render ``fig`` to PNG; identical bytes for identical figures."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata=_PNG_METADATA)
    return buf.getvalue()


def _rc_digest() -> str:
    """A digest of every rcParam (part of the keys of what is drawn once per kernel)."""
    return hashlib.sha1(repr(sorted(dict.items(matplotlib.rcParams))).encode()).hexdigest()


@dataclass(frozen=True)
class Figure:
    """A rendered figure with caption and alt text (displayed as Markdown)."""

    png: bytes
    alt: str
    caption: str = ""

    def markdown(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        return (f"![{_escape_md(self.caption)}](data:image/png;base64,{data})"
                f'{{fig-alt="{_escape_attr(self.alt)}"}}')

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/markdown": self.markdown(), "text/plain": self.alt}

#: Rendered legends, by what they show (see :func:`_paste_legend`); cleared when full.
_LEGENDS: dict = {}


def _render_legend(handles: list, ncols: int) -> tuple[np.ndarray, int, int]:
    """A figure-wide legend at the lower centre drawn alone: its RGBA pixels and lower-left pixel."""
    band = _new_figure(WIDTH_IN, 0.7)
    legend = band.legend(handles=handles, loc="lower center", ncols=ncols, frameon=False)
    band.canvas.draw()
    box = legend.get_window_extent()
    width, height = int(band.bbox.width), int(band.bbox.height)
    x0, x1 = max(0, int(np.floor(box.x0)) - 1), min(width, int(np.ceil(box.x1)) + 1)
    y0, y1 = max(0, int(np.floor(box.y0)) - 1), min(height, int(np.ceil(box.y1)) + 1)
    pixels = np.asarray(band.canvas.buffer_rgba())[height - y1:height - y0, x0:x1].copy()
    pixels.flags.writeable = False
    return pixels, x0, y0


def _paste_legend(fig, key: tuple, handles: list, ncols: int) -> None:
    """Put a legend of ``handles`` at the lower centre of ``fig``, drawn once per ``key``.

    A legend at the lower centre of a figure as wide as ours has the same
    pixels whatever the figure's height, so it is drawn once per kernel and
    legend (``key`` names everything it shows) on the figures' white
    background, and each figure pastes that rectangle (``figimage``: pixel
    for pixel, no resampling; nothing else is drawn there). The PNG is
    byte-identical to a figure drawing its own legend, which otherwise takes
    up to a third of a figure's CPU (the class bars: 13 per report).
    """
    # Every rcParam is part of the key: a notebook that changes a default cannot get a legend drawn before.
    key = (key, _rc_digest())
    band = _LEGENDS.get(key)
    if band is None:
        if len(_LEGENDS) >= 64:
            _LEGENDS.clear()
        band = _LEGENDS[key] = _render_legend(handles, ncols)
    pixels, x0, y0 = band
    fig.figimage(pixels, xo=x0, yo=y0, origin="upper")


# -- figure skeletons: the static part drawn once per kernel ------------------------------
#: Skeletons kept per kernel (:func:`_skeleton`); beyond this many the least recently used is dropped.
#: One costs ≈ 3 MB (its figure and background pixels). Half of 2023's förbund reports (what one of two
#: kernels sees) use ≈ 70; 48 keeps most of the gain (benchmarks/README.md) at two thirds of the memory.
SKELETON_CACHE = 48
_SKELETONS: OrderedDict = OrderedDict()


def _artists(fig) -> list:
    """Everything a figure draws besides its own and its axes' background patches."""
    out = [a for a in fig.get_children() if a is not fig.patch]
    for ax in fig.axes:
        out += [a for a in ax.get_children() if a is not ax.patch]
    return out


class _Skeleton:
    """A figure whose static artists (axes, ticks, labels, grid, legend) are drawn once.

    ``split`` is the lowest z-order of the data artists a figure function adds
    (collections 1, lines 2, texts 3). Everything static below it (the patches,
    the axes' ticks, labels and grid lines when they lie below the data) is
    drawn once into a background; each figure restores that background and
    draws, in matplotlib's own order (z-order, then order of creation), the
    rest: its data artists and the static ones above them (spines, titles).
    Agg paints each artist onto the pixels already there, so the PNG is the
    same as drawing the whole figure (tested against full drawing).
    """

    def __init__(self, fig, split: float, reuse: bool):
        self.fig = fig
        self.split = split
        self.reuse = reuse
        self.static = {id(a) for a in _artists(fig)}
        self.background = None

    def clear(self) -> None:
        """Remove the data artists of the previous figure; restart the property cycle as a new Axes does."""
        for a in _artists(self.fig):
            if id(a) not in self.static and not isinstance(a, Axes):
                a.remove()
        for ax in self.fig.axes:
            ax.set_prop_cycle(None)

    def _foreground(self, a) -> bool:
        return id(a) not in self.static or a.zorder >= self.split

    def png(self) -> bytes:
        """The figure as PNG bytes (static part from the background when reused)."""
        fig = self.fig
        data = [a for a in _artists(fig) if id(a) not in self.static]
        if not self.reuse or any(a.zorder < self.split for a in data) or not _partial_draw_safe(fig):
            return png_bytes(fig)
        try:
            return self._png_over_background()
        finally:
            self.clear()
            _release_renderer(fig)

    def _png_over_background(self) -> bytes:
        fig = self.fig
        canvas = fig.canvas
        if self.background is None:
            hidden = [a for a in _artists(fig) if not isinstance(a, Axes) and self._foreground(a) and a.get_visible()]
            for a in hidden:
                a.set_visible(False)
            try:
                canvas.draw()
            finally:
                for a in hidden:
                    a.set_visible(True)
            self.background = canvas.copy_from_bbox(fig.bbox)
        renderer = canvas.get_renderer()
        canvas.restore_region(self.background)
        # As Figure.draw and Axes.draw order them: by z-order, stable in the order of creation.
        for item in sorted((a for a in fig.get_children() if a is not fig.patch), key=attrgetter("zorder")):
            if isinstance(item, Axes):
                if item.get_visible():
                    for a in sorted((a for a in item.get_children() if a is not item.patch),
                                    key=attrgetter("zorder")):
                        if self._foreground(a):
                            a.draw(renderer)
            elif self._foreground(item):
                item.draw(renderer)
        buf = io.BytesIO()
        matplotlib.image.imsave(buf, canvas.buffer_rgba(), format="png", origin="upper", dpi=fig.dpi,
                                metadata=_PNG_METADATA)
        return buf.getvalue()

    def drop(self) -> None:
        """Free the pixels at once when the skeleton leaves the cache (its objects may wait for the collector)."""
        self.background = None
        _release_renderer(self.fig)


#: ``savefig`` settings our PNGs are drawn with; under any other value a figure is drawn whole by ``savefig``.
_SAVEFIG_DEFAULTS = {"savefig.bbox": (None, "standard"), "savefig.transparent": (False,),
                     "savefig.facecolor": ("auto",), "savefig.edgecolor": ("auto",)}


def _partial_draw_safe(fig) -> bool:
    """Does drawing over the background give what ``savefig`` gives for ``fig``?

    Not under other ``savefig`` settings (the partial draw encodes the canvas
    as it is), with hidden axis machinery, a fixed aspect or a title placed
    automatically (``Axes.draw`` adjusts those, the partial draw does not).
    """
    if any(matplotlib.rcParams[k] not in ok for k, ok in _SAVEFIG_DEFAULTS.items()):
        return False
    return all(ax.axison and ax.get_aspect() == "auto"
               and not (getattr(ax, "_autotitlepos", True) and ax.get_title(loc))
               for ax in fig.axes for loc in ("left", "center", "right"))


def _release_renderer(fig) -> None:
    """Let go of the canvas's renderer, a full-size pixel buffer, until the next drawing needs one.

    Matplotlib keeps it on the canvas and on every Text drawn with it; the
    next ``get_renderer`` makes a new one (clearing a buffer costs no more).
    """
    for text in fig.findobj(Text):
        text._renderer = None
    fig.canvas.renderer = None
    fig.canvas._lastKey = None


def _skeleton(key: tuple, build, split: float) -> _Skeleton:
    """The skeleton of ``key`` (built by ``build()`` → Figure on first use), cleared of earlier data.

    ``key`` must name everything ``build`` draws; all rcParams are added to it,
    so a notebook that changes a default never gets a skeleton built before.
    With :data:`SKELETON_CACHE` 0, or when the figure has a layout engine
    (its layout would carry over from the previous figure), every figure is
    built and drawn whole.
    """
    if SKELETON_CACHE <= 0:
        return _Skeleton(build(), split, reuse=False)
    key = (key, _rc_digest())
    sk = _SKELETONS.get(key)
    if sk is None:
        fig = build()
        if fig.get_layout_engine() is not None:  # e.g. figure.autolayout: it lays out again on every save
            return _Skeleton(fig, split, reuse=False)
        sk = _SKELETONS[key] = _Skeleton(fig, split, reuse=True)
        while len(_SKELETONS) > SKELETON_CACHE:
            _SKELETONS.popitem(last=False)[1].drop()
    else:
        _SKELETONS.move_to_end(key)
        sk.clear()
    return sk
