"""Tables for the reports, in two forms: HTML for the website, Typst for the PDF.

Quarto picks one representation of a notebook output per format: ``text/html``
for HTML, ``text/markdown`` first for Typst. Every table therefore carries both
(:class:`HTMLTable`): the HTML, and a raw Typst block as Markdown, so that the
PDF gets a real Typst table without Quarto converting HTML (which runs a CSS
inliner as a separate process per table and costs most of a PDF's render time).

Rules for both forms:

- header rows in ``<thead>`` / ``table.header`` (they repeat on every PDF page),
  data in ``<tbody>``; no ids at all, so output is deterministic;
- the same styling in both: alignment, bold, italic, colour, background, a rule
  above a cell; column widths from one list of percentages;
- text is escaped for each form here and nowhere else (HTML entities; Typst
  string literals, so no text is ever read as Typst markup);
- numbers are formatted by :mod:`finsam.fmt` before they get here; withheld cells
  carry their Swedish reason text, never a number.

The builder :func:`html_table` is generic; the report-specific tables live in
:mod:`finsam.reports`, which knows the data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from . import escape, fmt

#: Background of header rows and of group rows (light grey, prints well).
HEADER_BACKGROUND = "#e8e8e8"
GROUP_BACKGROUND = "#f4f4f4"
#: Text colour of withheld / not-shown cells.
MUTED_COLOR = "#555555"


@dataclass(frozen=True)
class Cell:
    """One table cell.

    Parameters
    ----------
    text : str
        Plain text (escaped here); ``\\n`` becomes a line break.
    colspan, rowspan : int
        Spans.
    align : {"left", "right", "center"}, optional
        Horizontal alignment.
    bold, italic : bool
        Font weight / style.
    color, background : str, optional
        CSS colours (``#rrggbb``).
    header : bool
        Render as ``<th>`` (automatic in ``<thead>``).
    border_top : bool
        A thin rule above the cell (group rows, totals).
    """

    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    align: str | None = None
    bold: bool = False
    italic: bool = False
    color: str | None = None
    background: str | None = None
    header: bool = False
    border_top: bool = False

    def style(self) -> str:
        parts = []
        if self.align:
            parts.append(f"text-align: {self.align}")
        if self.bold:
            parts.append("font-weight: bold")
        if self.italic:
            parts.append("font-style: italic")
        if self.color:
            parts.append(f"color: {self.color}")
        if self.background:
            parts.append(f"background-color: {self.background}")
        if self.border_top:
            parts.append("border-top: 1px solid #888888")
        return "; ".join(parts)


def _as_cell(value) -> Cell:
    return value if isinstance(value, Cell) else Cell(text="" if value is None else str(value))


def _render_cell(cell: Cell, tag: str) -> str:
    attrs = []
    if cell.colspan > 1:
        attrs.append(f'colspan="{cell.colspan}"')
    if cell.rowspan > 1:
        attrs.append(f'rowspan="{cell.rowspan}"')
    style = cell.style()
    if style:
        attrs.append(f'style="{style}"')
    text = "<br>".join(escape.html(line) for line in cell.text.split("\n"))
    open_tag = f"<{tag} {' '.join(attrs)}>" if attrs else f"<{tag}>"
    return f"{open_tag}{text}</{tag}>"


class Table(str):
    """A table's HTML (the string itself) together with its Typst form (``typst``)."""

    typst: str

    def __new__(cls, html_text: str, typst_text: str) -> "Table":
        obj = super().__new__(cls, html_text)
        obj.typst = typst_text
        return obj


def _typst_string(text: str) -> str:
    """``text`` as a Typst string literal (never interpreted as markup)."""
    out = []
    for ch in escape.shortcodes(text):
        if ch in '\\"':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ch in "\u2028\u2029":
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _typst_color(css: str) -> str:
    return f'rgb("{css}")'


def _typst_cell(cell: Cell, header: bool) -> str:
    lines = [_typst_string(line) for line in cell.text.split("\n")]
    body = "; linebreak(); ".join(lines) if lines else '""'
    text_args = []
    if cell.bold or header:
        text_args.append('weight: "bold"')
    if cell.italic:
        text_args.append('style: "italic"')
    if cell.color:
        text_args.append(f"fill: {_typst_color(cell.color)}")
    content = "{" + body + "}"
    if text_args:
        content = f"text({', '.join(text_args)})[#{content}]"
    args = []
    if cell.colspan > 1:
        args.append(f"colspan: {cell.colspan}")
    if cell.rowspan > 1:
        args.append(f"rowspan: {cell.rowspan}")
    if cell.align:
        args.append(f"align: {cell.align}")
    background = cell.background or (HEADER_BACKGROUND if header else None)
    if background:
        args.append(f"fill: {_typst_color(background)}")
    if cell.border_top:
        args.append("stroke: (top: 0.6pt + luma(110))")
    return f"table.cell({', '.join(args)})[#{content}]"


def _aligned_head(head, body) -> list[list[Cell]]:
    """Header rows whose cells without an alignment take their column's (from the body), as readers expect."""
    column: dict[int, str] = {}
    for row in body:
        k = 0
        for c in map(_as_cell, row):
            if c.colspan == 1 and c.align and k not in column:
                column[k] = c.align
            k += c.colspan
    out = []
    for row in head or []:
        k, cells = 0, []
        for c in map(_as_cell, row):
            if c.align is None and c.colspan == 1 and k in column:
                c = dataclasses.replace(c, align=column[k])
            cells.append(c)
            k += c.colspan
        out.append(cells)
    return out


def typst_table(head, body, *, widths=None, caption: str | None = None) -> str:
    """The Typst markup of a table (same arguments as :func:`html_table`).

    Header rows go into ``table.header`` (repeated on every page); widths
    become fractions of the text width; thin grey rules separate the rows.
    """
    ncols = sum(_as_cell(c).colspan for c in (head or body or [[]])[0])
    if widths:
        columns = "(" + ", ".join(f"{w:g}fr" for w in widths) + ("," if len(widths) == 1 else "") + ")"
    else:
        columns = str(max(ncols, 1))
    out = ["#[", "#set par(justify: false)"]  # a scope: no justified cell text
    if caption:
        out.append(f"#block(sticky: true)[#text(weight: \"bold\")[#{_typst_string(caption)}]]")
    out.append(f"#table(columns: {columns}, align: left + top, stroke: (x: none, y: 0.4pt + luma(200)),")
    if head:
        cells = [_typst_cell(c, True) for row in _aligned_head(head, body) for c in row]
        out.append("  table.header(" + ", ".join(cells) + "),")
    for row in body:
        cells = [_as_cell(c) for c in row]
        out.append("  " + ", ".join(_typst_cell(c, c.header) for c in cells) + ",")
    out += [")", "]"]
    return "\n".join(out)


def html_table(head, body, *, widths=None, caption: str | None = None, css_class: str = "finsam-table") -> Table:
    """Render a table.

    Parameters
    ----------
    head : list of rows
        Header rows; each row a list of :class:`Cell` or strings (``<th>``).
    body : list of rows
        Body rows; a :class:`Cell` with ``header=True`` renders as ``<th>``.
    widths : list of float, optional
        Relative column widths (percent of the table width, summing to ~100).
    caption : str, optional
        Table caption (``<caption>``).
    css_class : str
        Class attribute of the table (fixed, never random).

    Returns
    -------
    Table
        The HTML (a ``str``), deterministic for the same input, with the
        Typst form of the same table as ``.typst``.
    """
    out = [f'<table class="{css_class}">']
    if caption:
        out.append(f"<caption>{escape.html(caption)}</caption>")
    if widths:
        out.append("<colgroup>")
        out.extend(f'<col style="width: {w:g}%">' for w in widths)
        out.append("</colgroup>")
    if head:
        out.append("<thead>")
        for row in _aligned_head(head, body):
            out.append("<tr>" + "".join(_render_cell(c, "th") for c in row) + "</tr>")
        out.append("</thead>")
    out.append("<tbody>")
    for row in body:
        cells = [_as_cell(c) for c in row]
        out.append("<tr>" + "".join(_render_cell(c, "th" if c.header else "td") for c in cells) + "</tr>")
    out.append("</tbody>")
    out.append("</table>")
    return Table("\n".join(out), typst_table(head, body, widths=widths, caption=caption))


class HTMLTable:
    """A table as Jupyter displays it: ``text/html`` and, for Typst, ``text/markdown``.

    The Markdown is one raw Typst block (```` ```{=typst} ````) holding the
    table's Typst form; Quarto uses it for the PDF and the HTML for the
    website. ``text/plain`` is a short label for consoles.
    """

    def __init__(self, html_text: str, plain: str = "Tabell") -> None:
        self.html = html_text
        self.plain = plain

    @property
    def markdown(self) -> str | None:
        """The raw Typst block, or ``None`` for HTML built elsewhere (no ``.typst``)."""
        typst = getattr(self.html, "typst", None)
        return None if typst is None else "```{=typst}\n" + typst + "\n```\n"

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/html": str(self.html), "text/plain": self.plain}
        if self.markdown is not None:
            bundle["text/markdown"] = self.markdown
        return bundle

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.html


def with_caption(table, caption: str):
    """``table`` with a real caption in both forms: ``<caption>`` in HTML, a sticky block in Typst.

    ``caption`` is the table's "**Tabell N.** text" paragraph: the bold label
    stays bold, the text is the same in both forms (escaped, never markup).
    ``table`` is a :class:`Table`, an :class:`HTMLTable` or plain HTML (which
    gets only the HTML caption); the same kind is returned.
    """
    if isinstance(table, HTMLTable):
        return HTMLTable(with_caption(table.html, caption), table.plain)
    label, text = "", caption.strip()
    if text.startswith("**") and "**" in text[2:]:
        label, text = text[2:].split("**", 1)
        text = text.strip()
    html_caption = (f"<strong>{escape.html(label)}</strong> " if label else "") + escape.html(text)
    head, sep, rest = str(table).partition(">")
    if not head.startswith("<table") or not sep:
        raise ValueError("with_caption: not an HTML table")
    html_text = f"{head}><caption>{html_caption}</caption>{rest if rest.startswith(chr(10)) else chr(10) + rest}"
    typst = getattr(table, "typst", None)
    if typst is None:
        return html_text
    parts = ([f"#strong[#{_typst_string(label)}]"] if label else []) + ([f"#{_typst_string(text)}"] if text else [])
    block = f"#block(sticky: true)[{' '.join(parts)}]"
    lines = typst.split("\n")
    at = lines.index("#set par(justify: false)") + 1
    return Table(html_text, "\n".join(lines[:at] + [block] + lines[at:]))


def group_row(text: str, ncols: int) -> list[Cell]:
    """A full-width sub-heading row inside a table body (e.g. a question)."""
    return [Cell(text, colspan=ncols, bold=True, background=GROUP_BACKGROUND, align="left", border_top=True)]


def muted(text: str, colspan: int = 1, align: str | None = "left") -> Cell:
    """A cell for a withheld or not-shown value (reason text, grey italics)."""
    return Cell(text, colspan=colspan, italic=True, color=MUTED_COLOR, align=align)


# ---------------------------------------------------------------------------
# Report tables (rows are pandas Series of the results contract)
# ---------------------------------------------------------------------------
#: Display labels of the gender views.
VIEW_LABELS = {"alla": "Alla", "kvinna": "Kvinnor", "man": "Män"}
#: Marker of a difference beyond noise, and of a small base.
SIGNIF_MARK = "*"
CAVEAT_MARK = "\u2020"


def shown(row) -> bool:
    """A row that exists and is not withheld."""
    return row is not None and not fmt.is_true(row.get("withheld", False))


def _has_caveat(row) -> bool:
    c = row.get("caveat", "")
    return isinstance(c, str) and c != ""


def overview_table(items, value_head: list[str], value_widths: list[float]) -> str:
    """The indicator overview (Tabell 1): one compact row per indicator.

    Parameters
    ----------
    items : list of dict
        ``indicator`` (int), ``name`` (short name) and either ``note`` (text
        spanning the value columns, e.g. indicator 11) or ``cells`` (one
        :class:`Cell` or string per value column, already formatted: symbols,
        arrows and footnote marks are the caller's).
    value_head : list of str
        Headers of the value columns.
    value_widths : list of float
        Their widths in percent (the number and name columns take the rest).
    """
    head = [["Nr", "Indikator"] + list(value_head)]
    body = []
    for it in items:
        first = [Cell(str(it["indicator"]), align="right"), Cell(it["name"])]
        if it.get("note"):
            body.append(first + [muted(it["note"], colspan=len(value_head))])
        else:
            body.append(first + list(it["cells"]))
    name_w = round(100 - 5 - sum(value_widths), 1)
    return html_table(head, body, widths=[5, name_w] + list(value_widths))


def _view_label(view: str, row) -> str:
    label = VIEW_LABELS[view]
    if shown(row) and not fmt.is_missing(row.get("n")):
        label += f" ({fmt.n_label(row['n'])})"
        if _has_caveat(row):
            label += f" {CAVEAT_MARK}"
    return label


def _signed_with_mark(diff, signif) -> str:
    if fmt.is_missing(diff):
        return fmt.MISSING
    return fmt.pp(diff) + (SIGNIF_MARK if fmt.is_true(signif) else "")


def _trend_cell(row) -> str:
    if fmt.is_missing(row.get("diff_previous")) or not isinstance(row.get("trend"), str):
        return fmt.MISSING
    return f"{row['trend']} {_signed_with_mark(row['diff_previous'], row.get('signif_previous'))}"


def question_table(blocks, *, yesno: bool, prev_year: int | None, reason, confidence: float) -> str:
    """Answers per question and group for one indicator (as 004, with intervals).

    Parameters
    ----------
    blocks : list of (title, rows)
        ``rows`` a list of (view, Series or None, reason code); a row whose
        Series is withheld shows only its reason text. Rows with view ``None``
        carry a merged label (e.g. "Kvinnor, män") for a common reason.
    yesno : bool
        Ja/nej questions (columns Ja / Nej) or scale questions.
    prev_year : int or None
        Year of the "Förändring mot …" column; ``None`` drops the column (the
        förbund has no data the year before).
    reason : callable
        Reason code → Swedish text.
    confidence : float
        Confidence level named in the interval column (``settings.confidence``).
    """
    ci = fmt.ci_label(confidence)
    trend_head = [f"Förändring mot {prev_year}"] if prev_year is not None else []
    if yesno:
        head = [["Svarande", "Ja", "Nej", f"{ci} (ja)", "Rikssnitt", "Mot riket"] + trend_head]
        widths = [24, 10, 10, 13, 12, 14] + ([17] if trend_head else [])
    else:
        head = [["Svarande", "Negativt", "Varken eller", "Positivt (klart positivt)", f"{ci} (klart pos.)",
                 "Rikssnitt (klart pos.)", "Mot riket"] + trend_head]
        widths = [20, 9, 9, 13, 11, 11, 12] + ([15] if trend_head else [])
    total = sum(widths)
    widths = [round(w * 100 / total, 1) for w in widths]
    ncols = len(head[0])
    body = []
    for title, rows in blocks:
        body.append(group_row(title, ncols))
        for view, row, code in rows:
            label = view if view not in VIEW_LABELS else _view_label(view, row)
            if not shown(row):
                body.append([Cell(label), muted(reason(code), colspan=ncols - 1)])
                continue
            if yesno:
                values = [fmt.pct(row["yes"]), fmt.pct(1 - row["yes"])]
            else:
                values = [fmt.pct(row["negative"]), fmt.pct(row["neutral"]),
                          f"{fmt.pct(row['positive'])} ({fmt.pct(row['clearly_positive'])})"]
            values += [
                fmt.interval(row["ci_low"], row["ci_high"]),
                fmt.pct(row.get("national")),
                _signed_with_mark(row.get("diff_national"), row.get("signif_national")),
            ]
            if trend_head:
                values.append(_trend_cell(row))
            body.append([Cell(label)] + [Cell(v, align="right") for v in values])
    return html_table(head, body, widths=widths)


def response_table(rows, national: dict | None, *, show_unreachable: bool = True) -> str:
    """Asked, non-response, answers and response rate per group (003 table 2) vs the nation.

    Parameters
    ----------
    rows : list of (label, dict, bold)
        dict with ``asked``, ``unreachable``, ``bortfall``, ``answered``, ``response_rate``.
    national : dict or None
        label → national response rate (fraction) for the last column; ``None``
        drops that column (the national report).
    """
    head = [["Respondentgrupp", "Tillfrågade"] + (["Ej nåbara"] if show_unreachable else [])
            + ["Bortfall", "Antal svar", "Svarsfrekvens"] + (["Svarsfrekvens riket"] if national is not None else [])]
    body = []
    for label, r, bold in rows:
        vals = [fmt.integer(r["asked"])]
        if show_unreachable:
            vals.append(fmt.integer(r["unreachable"]))
        vals += [fmt.integer(r["bortfall"]), fmt.integer(r["answered"]), fmt.pct(r["response_rate"])]
        if national is not None:
            vals.append(fmt.pct(national.get(label)))
        body.append([Cell(label, bold=bold)] + [Cell(v, align="right", bold=bold) for v in vals])
    widths = [28, 13] + ([11] if show_unreachable else []) + [11, 12, 12] + ([13] if national is not None else [])
    return html_table(head, body, widths=widths)


def gender_answers_table(rows) -> str:
    """Participant answers by the gender variable (003 tables 3–4).

    ``rows``: list of (label, dict with answered, answered_kvinna, answered_man,
    answered_ej_uppgett, answered_utan_kon).
    """
    head = [["Respondentgrupp", "Antal svar", "Kvinnor", "Män", "Ej uppgett kön", "Enkät utan kön"]]
    body = []
    for label, r in rows:
        body.append([Cell(label)] + [Cell(fmt.integer(r[c]), align="right") for c in (
            "answered", "answered_kvinna", "answered_man", "answered_ej_uppgett", "answered_utan_kon")])
    return html_table(head, body, widths=[30, 14, 14, 14, 14, 14])


def trend_table(items, years, *, label_header: str = "Indikator", numbered: bool = True,
                bold_last: bool = False) -> str:
    """Key share per row (indicator or förbund) and year (columns), shown values only.

    ``items``: list of (number, name, {year: text}); a year missing from the
    dict shows an en dash. ``text`` is pre-formatted (share or reason).
    ``numbered`` adds the "Nr" column; ``bold_last`` sets the last row in bold
    (e.g. Riket).
    """
    head = [(["Nr"] if numbered else []) + [label_header] + [str(y) for y in years]]
    body = []
    for k, (ind, name, by_year) in enumerate(items):
        bold = bold_last and k == len(items) - 1
        first = ([Cell(str(ind), align="right", bold=bold)] if numbered else []) + [Cell(name, bold=bold)]
        body.append(first + [Cell(by_year.get(y, fmt.MISSING), align="right", bold=bold) for y in years])
    fixed = [5, 25] if numbered else [26]
    value_w = round((100 - sum(fixed)) / max(1, len(years)), 1)
    return html_table(head, body, widths=fixed + [value_w] * len(years))


def matrix_table(head_cells, rows, *, widths=None, total=None) -> str:
    """A simple matrix: ``rows`` = list of (label, [texts]); optional bold total row."""
    head = [[Cell(h) for h in head_cells]]
    body = [[Cell(label)] + [Cell(v, align="right") for v in vals] for label, vals in rows]
    if total is not None:
        label, vals = total
        body.append([Cell(label, bold=True, border_top=True)]
                    + [Cell(v, align="right", bold=True, border_top=True) for v in vals])
    return html_table(head, body, widths=widths)
