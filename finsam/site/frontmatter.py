"""Front matter of the executed reports (YAML in the first raw cell) and reading it back."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .. import escape, texts
from ..catalog import load_catalog
from ..codes import KINDS, NATIONAL

#: Typst (PDF) options of every report. ``format`` is not merged between
#: _quarto.yml, _metadata.yml and the document (Quarto docs, "Including Other
#: Formats" / "Metadata Merging"), so the formats live in each report's own
#: front matter; listing pages stay HTML only.
TYPST_FORMAT: dict = {
    "papersize": "a4",
    "margin": {"x": "2cm", "y": "2cm"},
    "fontsize": "10pt",
    "toc": False,
    "include-before-body": [
        {
            "text": (
                "#show figure: set block(breakable: true)\n"
                "#set table(inset: 4pt)\n"
                "#show table: set text(size: 8.5pt)\n"
            )
        }
    ],
}

#: The PDF link on each HTML report page (Quarto "format-links"): one link, to the PDF.
#: Quarto adds its own link per rendered format (here a second one titled "Typst")
#: unless the list also holds a plain format name; "pdf" names a format the reports
#: never render, so it adds no link and only turns the automatic ones off.
FORMAT_LINKS = [{"format": "typst", "text": "PDF för utskrift", "icon": "file-pdf"}, "pdf"]


def _source_line(dataset) -> str:
    """The PDF abstract: the data source (empty for synthetic data without a short source note)."""
    meta = getattr(dataset, "meta", {}) or {}
    # A long source note (the demo data's calibration notes) does not fit a title block.
    source = escape.text(meta.get("source") or "", limit=None).rstrip(".")
    if not source or len(source) > 160:
        # For synthetic data the fallback (the dataset's name, "Syntetiska
        # demodata") would only repeat the notice.
        source = "" if dataset.synthetic else escape.text(meta.get("name") or "").rstrip(".")
    source = escape.markdown(source)
    if not source and not dataset.synthetic:
        source = "NNS, Indikatorer för finansiell samordning (sammanställda enkätsvar)"
    # The synthetic-data notice is said once, by the report's callout (not here, not in the subtitle).
    return f"Datakälla: {source}." if source else ""


def _indicator_row(indicator: int):
    cat = load_catalog()
    row = cat.indicators.loc[cat.indicators["indicator"] == int(indicator)]
    if not len(row):
        raise ValueError(f"okänd indikator {indicator} (finns inte i data/catalog/indicators.csv)")
    return row.iloc[0]


def front_matter(kind, dataset, *, year=None, forbund=None, indicator=None) -> dict:
    """YAML front matter (as a dict) for one executed report notebook.

    Parameters
    ----------
    kind : {"forbund", "riket", "indikator"}
        A förbund's report, the national report or an indicator page.
    dataset : finsam.io.Dataset
        The data the report was built from (name, source, synthetic flag).
    year : int, optional
        Measurement year (required for "forbund" and "riket").
    forbund : str, optional
        The förbund's id (required for "forbund").
    indicator : int, optional
        Indicator number (required for "indikator").

    Returns
    -------
    dict
        ``title``, ``subtitle``, ``description``, ``abstract`` (the data source,
        when there is one to name; the synthetic-data notice is the report's own
        callout, said once), ``categories``,
        ``format`` (html + typst) and ``format-links``, plus the custom listing
        fields ``kind``, ``year``, ``forbund``, ``forbund_name`` (reports) or
        ``indicator``, ``indicator_name`` (indicator pages) and ``synthetic``.
        No dates or timestamps.

    Raises
    ------
    ValueError
        Unknown kind, or a required argument is missing.
    """
    if kind not in KINDS:
        raise ValueError(f"okänd rapporttyp {kind!r} (välj {', '.join(KINDS)})")
    fm: dict = {}
    if kind in ("forbund", "riket"):
        if year is None:
            raise ValueError(f"rapporttyp {kind!r} kräver ett år")
        year = int(year)
        if kind == "forbund":
            if not forbund:
                raise ValueError("rapporttyp 'forbund' kräver ett förbund")
            forbund = str(forbund)
            name = escape.markdown(dataset.forbund_name(forbund))
            category = escape.category(dataset.forbund_name(forbund))
            description = f"{name}: nyckeltal med konfidensintervall och jämförelser, mätåret {year}."
        else:
            forbund, name = NATIONAL, texts.NATIONAL_LABEL
            category = name
            description = f"Riksresultat för alla deltagande förbund, mätåret {year}."
        fm.update(
            title=f"Indikatorer {year} – {name}",
            subtitle=f"Indikatorer för finansiell samordning, mätåret {year}",
            description=description,
            categories=[str(year), category],
            kind=kind,
            year=year,
            forbund=forbund,
            forbund_name=name,
        )
    else:
        if indicator is None:
            raise ValueError("rapporttyp 'indikator' kräver ett indikatornummer")
        indicator = int(indicator)
        row = _indicator_row(indicator)
        short, full = str(row["short_name"]), str(row["name"])
        fm.update(
            title=f"Indikator {indicator}: {short}",
            subtitle=full,
            description=f"Förbunden jämförda över åren: nyckeltal med intervall och trattdiagram. {full}",
            categories=["Indikatorer", f"Indikator {indicator}"],
            kind=kind,
            indicator=indicator,
            indicator_name=short,
        )
    abstract = _source_line(dataset)
    if abstract:
        fm["abstract"] = abstract
        fm["abstract-title"] = "Om underlaget"
    fm["synthetic"] = bool(dataset.synthetic)
    fm["format"] = {"html": "default", "typst": TYPST_FORMAT}
    fm["format-links"] = FORMAT_LINKS
    return fm


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings as literal blocks (readable raw Typst)."""


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump(data: dict) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000
    )


def front_matter_yaml(fm: dict) -> str:
    """The raw-cell text for ``fm``: ``---`` / YAML / ``---`` (no trailing newline)."""
    return f"---\n{dump(fm)}---"


def read_front_matter(path: str | Path) -> dict | None:
    """The front matter of an .ipynb (first raw cell) or .qmd file, or ``None``."""
    path = Path(path)
    if path.suffix == ".ipynb":
        import nbformat

        nb = nbformat.read(path, as_version=4)
        if not nb.cells or nb.cells[0].cell_type != "raw":
            return None
        text = nb.cells[0].source
    else:
        text = path.read_text(encoding="utf-8")
    m = re.match(r"\A---\n(.*?)\n---\s*(\n|\Z)", text, re.S)
    return yaml.safe_load(m.group(1)) if m else None
