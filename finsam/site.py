"""The Quarto website: front matter for executed reports and the generated pages.

``finsam build`` executes the notebooks into ``reports/`` and then calls

- :func:`front_matter` for each executed notebook (inserted as its first raw cell),
- :func:`write_pages` once, for the listing pages, directory metadata, the start
  page's include and the Data page's downloads.

Everything written here is deterministic (no dates) and a file is only rewritten
when its content changes, so Quarto's incremental render stays cheap.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ._atomic import atomic_write_text

#: Shown on every report and page built from synthetic data.
SYNTHETIC_NOTICE = "Syntetiska demodata – inga verkliga resultat"

KINDS = ("forbund", "riket", "indikator")


def _source_line(dataset) -> str:
    meta = getattr(dataset, "meta", {}) or {}
    source = meta.get("source") or meta.get("name")
    if dataset.synthetic:
        return f"Källa: {source}. {SYNTHETIC_NOTICE}." if source else f"Källa: {SYNTHETIC_NOTICE}."
    if source:
        return f"Källa: {source}."
    return "Källa: NNS, Indikatorer för finansiell samordning (sammanställda enkätsvar)."


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
        Keys ``title``, ``subtitle``, ``description``, ``categories`` and the
        custom listing fields ``kind``, ``year``, ``forbund``, ``forbund_name``,
        ``indicator``; ``abstract`` carries the data source (and the synthetic
        notice) into the PDF title block. No dates.
    """
    if kind not in KINDS:
        raise ValueError(f"okänd rapporttyp {kind!r} (välj {', '.join(KINDS)})")
    source = _source_line(dataset)
    fm: dict = {"kind": kind}
    if kind in ("forbund", "riket"):
        if year is None:
            raise ValueError(f"rapporttyp {kind!r} kräver ett år")
        year = int(year)
        if kind == "forbund":
            if not forbund:
                raise ValueError("rapporttyp 'forbund' kräver ett förbund")
            name = dataset.forbund_name(forbund)
        else:
            forbund, name = "riket", "Riket"
        fm.update(
            title=f"Indikatorer {year} – {name}",
            subtitle=(
                f"Indikatorer för finansiell samordning, mätåret {year}"
                + (f" · {SYNTHETIC_NOTICE}" if dataset.synthetic else "")
            ),
            description=(
                f"Nyckeltal med 95 % konfidensintervall för {name}, mätåret {year}."
                if kind == "forbund"
                else f"Riksresultat för alla deltagande förbund, mätåret {year}."
            ),
            year=year,
            forbund=forbund,
            forbund_name=name,
            categories=[str(year), name],
        )
    else:
        if indicator is None:
            raise ValueError("rapporttyp 'indikator' kräver ett indikatornummer")
        from .catalog import load_catalog

        cat = load_catalog()
        indicator = int(indicator)
        row = cat.indicators.loc[cat.indicators["indicator"] == indicator]
        short = row["short_name"].iloc[0] if len(row) else f"Indikator {indicator}"
        full = row["name"].iloc[0] if len(row) else short
        fm.update(
            title=f"Indikator {indicator}: {short}",
            subtitle=full + (f" · {SYNTHETIC_NOTICE}" if dataset.synthetic else ""),
            description=f"Förbunden jämförda över åren: nyckeltal med intervall och trattdiagram. {full}",
            indicator=indicator,
            indicator_name=short,
            categories=["Indikatorer", f"Indikator {indicator}"],
        )
    fm["abstract"] = source
    fm["source_line"] = source
    fm["synthetic"] = bool(dataset.synthetic)
    return fm


def front_matter_yaml(fm: dict) -> str:
    """The raw-cell text for ``fm``: ``---`` / YAML / ``---``."""
    body = yaml.safe_dump(fm, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    return f"---\n{body}---"


# ---------------------------------------------------------------------------
# generated pages


def _write_if_changed(path: Path, text: str, written: list[Path]) -> None:
    if not (path.is_file() and path.read_text(encoding="utf-8") == text):
        atomic_write_text(path, text)
    written.append(path)


def _page(fm: dict, body: str = "") -> str:
    return front_matter_yaml(fm) + "\n\n" + body.strip() + "\n"


def write_pages(dataset, settings, root) -> list[Path]:
    """Write the generated site pages under ``root/reports``.

    Returns the paths written or confirmed unchanged.
    """
    root = Path(root)
    reports = root / "reports"
    written: list[Path] = []
    years = [int(y) for y in dataset.years]
    for year in years:
        _write_if_changed(
            reports / str(year) / "index.qmd",
            _page(
                {
                    "title": f"Rapporter {year}",
                    "listing": {
                        "contents": ["*.ipynb"],
                        "type": "table",
                        "sort": "title",
                        "fields": ["title", "description"],
                    },
                }
            ),
            written,
        )
    return written
