"""Escaping of free text from data for every output it lands in — the one place that does it.

Förbund names, the data set's name and source note are text from whoever
wrote the data. They are shown in Markdown (report sentences, site pages),
YAML front matter (titles and descriptions, which Pandoc reads as Markdown),
Pandoc attributes (figure alt texts), HTML (tables) and published CSV/xlsx
files. Each function here makes such a text inert in one of those outputs:

* :func:`text` — one line of plain text: control characters dropped,
  whitespace (line breaks) collapsed, a length cap;
* :func:`markdown` — inline Pandoc Markdown (also for YAML front matter);
* :func:`category` — a Quarto category (plain text);
* :func:`html` — HTML element content;
* :func:`attribute` — a double-quoted Pandoc attribute value;
* :func:`shortcodes` — text in any other form (raw Typst strings);
* :func:`spreadsheet_cell` / :func:`spreadsheet_frame` — formula prefixes
  neutralised as OWASP recommends ("CSV injection").

Quarto shortcodes (``{{< … >}}``, ``{{% … %}}``) are expanded even inside
metadata strings and attributes after Markdown escaping has been undone, so
every function also separates the braces of a shortcode opener or closer
with a zero-width space (U+200B): the text looks the same and is never a
shortcode.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

#: Longest free text kept (characters); longer text is cut with an ellipsis.
MAX_LENGTH = 200
#: Zero-width space: separates the braces of shortcode openers and closers.
ZWSP = "\u200b"
#: Leading characters that make a spreadsheet cell a formula (OWASP, CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Whitespace runs, except the non-breaking spaces of Swedish number style (``72 %``).
_WHITESPACE = re.compile(r"[^\S\u00a0\u202f]+")
# The first character of every pair that can open or close a shortcode: ``{{``, ``{<``, ``{%``, ``}}``, ``>}``, ``%}``.
_SHORTCODE_PAIR = re.compile(r"(\{(?=[{<%])|[}>%](?=\}))")
# ASCII characters that start or delimit inline Pandoc Markdown (and raw HTML).
_MD_ALWAYS = re.compile(r"([\\`*_\[\]<>{}#|~^$@&])")
# Characters that are markup only at the start of a line: list markers, definition
# lists, a Pandoc title block, an ordered-list number.
_MD_LINE_START = re.compile(r"^(\d+)([.)])|^([-+:%])")


def shortcodes(value: str) -> str:
    """``value`` with a zero-width space inside every ``{{``, ``{<``, ``{%``, ``}}``, ``>}``, ``%}`` (never a Quarto shortcode)."""
    return _SHORTCODE_PAIR.sub(lambda m: m.group(1) + ZWSP, value)


def text(value, limit: int | None = MAX_LENGTH) -> str:
    """``value`` as one line of plain text.

    Control and format characters (NUL, BOM, bidirectional overrides) are
    dropped, runs of whitespace (line breaks, tabs; not non-breaking spaces) become one space, and text
    longer than ``limit`` characters is cut and ends with ``…``.

    Parameters
    ----------
    value : object
        Converted with ``str``.
    limit : int or None
        Longest result; ``None`` keeps everything.
    """
    value = "".join(ch for ch in str(value)
                    if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf"))
    value = _WHITESPACE.sub(" ", value).strip()
    if limit is not None and len(value) > limit:
        value = value[: max(limit - 1, 0)].rstrip() + "…"
    return value


def markdown(value, limit: int | None = MAX_LENGTH) -> str:
    """``value`` as literal text in inline Pandoc Markdown (also inside YAML front matter).

    Examples
    --------
    >>> markdown("<b>[x](javascript:y)</b>")
    '\\\\<b\\\\>\\\\[x\\\\](javascript:y)\\\\</b\\\\>'
    """
    value = _MD_ALWAYS.sub(r"\\\1", shortcodes(text(value, limit)))
    return _MD_LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", value)


def category(value) -> str:
    """``value`` as a Quarto category (front matter ``categories``).

    Quarto shows categories as plain text (it escapes HTML itself) but reads a
    backslash as an escape, so the text is :func:`text` without backslashes
    (shown as U+29F5) and with shortcodes broken.
    """
    return shortcodes(text(value)).replace("\\", "\u29f5")


def html(value) -> str:
    """``value`` as HTML element content (``<``, ``>``, ``&`` as entities; line breaks kept)."""
    return shortcodes(_html.escape(str(value), quote=False))


def attribute(value) -> str:
    """``value`` inside a double-quoted Pandoc attribute (``{fig-alt="…"}``): one line, ``\\`` and ``"`` escaped.

    Non-breaking spaces are kept (they are not whitespace to the attribute syntax).
    """
    collapsed = re.sub(r"[ \t\r\n\f\v]+", " ", str(value)).strip(" ")
    return shortcodes(collapsed.replace("\\", "\\\\").replace('"', '\\"'))


def spreadsheet_cell(value):
    """A text cell made safe for spreadsheet programs; other values unchanged.

    A string starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading single quote, so Excel, LibreOffice and Google
    Sheets show it as text instead of evaluating it (OWASP, "CSV injection").
    Numbers (int, float) are never changed, so negative numbers stay numbers.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_frame(df):
    """A copy of the DataFrame ``df`` with :func:`spreadsheet_cell` applied to every text cell."""
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or str(series.dtype).startswith(("string", "str")):
            out[column] = series.map(spreadsheet_cell, na_action="ignore")
    return out
