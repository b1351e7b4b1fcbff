"""What every report shares: the :class:`Report` base and small text helpers.

A report object holds the settings, the dataset and its cached results
(:func:`finsam.cache.load_results`) and the catalogue view; the section
functions of :mod:`finsam.reports.forbund`, :mod:`~finsam.reports.riket` and
:mod:`~finsam.reports.indikator` read from it and return lists of displayable
objects (Markdown, HTML tables, figures).

Withheld cells
--------------
Only rows that are not withheld are ever formatted as numbers; a withheld cell
shows its reason text. Indicator figures pool published cells only
(:mod:`finsam.stats`), so nothing shown lets a withheld value be derived.
"""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from .. import fmt, texts
from ..cache import load_results
from ..disclosure import reason_text
from ..settings import Settings
from ..tables import shown
from .catview import catalog_view
from .method import margin_text, method_text

__all__ = ["Report", "notice", "about", "count", "n_of", "margin_text", "significant", "present", "md_escape", "md", "shown", "short_name",
           "rows_by"]


def count(n: int) -> str:
    """A count in a generated sentence.

    One rule for every generated text: counts are written in digits (as in the
    NNS reports, "Hos 9 av 14 indikatorer"), since the sentences compare counts
    with each other. Sentences are built so that a count of zero is left out
    rather than written.
    """
    return fmt.integer(n)


def n_of(n: int, singular: str, plural: str) -> str:
    """A count with its noun: ``1 indikator``, ``3 indikatorer``."""
    return f"{count(n)} {singular if int(n) == 1 else plural}"


def significant(items, kind: str) -> tuple[list, list]:
    """Split ``(indicator, row)`` items into significant increases and decreases.

    ``kind`` is ``"national"`` or ``"previous"`` (the comparison's column suffix).
    """
    sig = [x for x in items if fmt.is_true(x[1].get(f"signif_{kind}"))]
    return [x for x in sig if x[1][f"diff_{kind}"] > 0], [x for x in sig if x[1][f"diff_{kind}"] < 0]


def present(*pairs) -> list[str]:
    """The texts of ``(items, text)`` pairs whose items are not empty, in order.

    For sentences that name the increases and the decreases, or the higher and
    the lower, and leave out a side without any.
    """
    return [text for items, text in pairs if items]


def md_escape(text: str) -> str:
    """Escape Markdown emphasis characters (the significance mark is an asterisk)."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def md(text: str) -> Markdown:
    return Markdown(text)


def short_name(full: str) -> str:
    """Förbund name without the common prefix (for narrow tables and figures)."""
    for prefix in ("Samordningsförbundet i ", "Samordningsförbundet "):
        if full.startswith(prefix):
            return full[len(prefix):]
    return full


def rows_by(df: pd.DataFrame, *keys) -> dict:
    """Map key tuple (or single key) → row Series."""
    out = {}
    for _i, row in df.iterrows():
        k = tuple(row[c] for c in keys)
        out[k[0] if len(k) == 1 else k] = row
    return out


class Report:
    """Shared state of the three report kinds: settings, dataset, results and catalogue view.

    Parameters
    ----------
    data_dir : str or Path
        Data directory or workbook; empty means the demo data.
    settings : Settings, dict, str or None
        Anything :meth:`finsam.settings.Settings.load` accepts.
    """

    def __init__(self, data_dir, settings) -> None:
        self.settings = Settings.load(settings)
        self.dataset, self.results = load_results(data_dir, self.settings)
        self.cv = catalog_view()

    def reason(self, code) -> str:
        """The short reason text of a withheld cell under these settings."""
        return texts.short_reason(code, self.settings.min_n)

    def long_reason(self, code) -> str:
        """The full reason text of a withheld cell (empty without a code)."""
        return reason_text(code, self.settings) if isinstance(code, str) and code else ""

    def forbund_label(self, fid: str) -> str:
        """A förbund's name without the common prefix."""
        return short_name(self.dataset.forbund_name(fid))


def notice(rep: Report) -> list:
    """The synthetic-data callout (empty for real data)."""
    if not rep.dataset.synthetic:
        return []
    return [md(f"::: {{.callout-warning}}\n## {texts.SYNTHETIC_NOTICE_TITLE}\n\n"
               f"{texts.SYNTHETIC_NOTICE_TEXT}\n:::")]


def about(rep: Report) -> list:
    """Om siffrorna: method and small-n rules in plain Swedish."""
    return [md(method_text(rep.settings, rep.cv))]
