"""The Quarto website: front matter for executed reports and the generated pages.

``finsam build`` executes the notebooks into ``reports/`` and then calls

- :func:`front_matter` for each executed notebook (the build inserts
  :func:`front_matter_yaml` of it as the notebook's first raw cell),
- :func:`write_pages` once, *after* the notebooks exist, for the listing pages,
  the directory metadata, the includes of the start, Metod and Data pages and
  the Data page's downloads.

Layout under ``reports/`` (git-ignored; ``_``-files are never rendered by Quarto)::

    index.qmd                 "År": listing of the year pages
    <year>/index.qmd          one year: the national report and the förbund reports
    <year>/<forbund>.ipynb    executed reports (written by the build)
    <year>/riket.ipynb
    forbund.qmd               "Förbund": listing of the förbund pages
    utforska.qmd              "Utforska": the explorer (Observable JS over
                              data/resultat_<year>_indikator.csv, finsam.explorer)
    forbund-<forbund>.qmd     one förbund: its reports over the years
    indikatorer/index.qmd     "Indikatorer": listing of the indicator pages
    indikatorer/<n>.ipynb     executed indicator pages (written by the build)
    data/*.csv                downloads: the computed results (suppressed) and,
                              only if publishable, the raw aggregates
    _metadata.yml             directory metadata for everything under reports/
    _*.md                     includes for index.qmd, metod.qmd and data.qmd

Listing ``contents`` globs only point downwards from the listing page (Quarto
resolves them relative to the page; ``/`` is *not* the project root there and
``..`` is undocumented), and a listing is only written when its glob matches
an existing file, because Quarto stops with an error on an empty listing.

Disclosure: the raw aggregates (``forbund.csv``, ``responses.csv``,
``participation.csv``) hold every cell, also those below ``min_n`` that the
reports withhold. They are copied to the Data page only when the dataset is
synthetic or its ``dataset.toml`` sets ``publish_aggregates = true``
(:func:`publishes_aggregates`); otherwise only the results CSVs, whose
withheld cells are empty, are offered.

Everything is deterministic (no dates) and a file is only rewritten when its
content changes, so Quarto's incremental render stays cheap.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from . import escape, fmt, texts
from ._atomic import atomic_write_bytes, atomic_write_text

#: ``dataset.toml`` key (section ``[dataset]``) that allows publishing the raw
#: aggregates of real data on the Data page (default false; synthetic data always may).
PUBLISH_KEY = "publish_aggregates"

#: The raw aggregate tables (file stem = Dataset attribute) and their description.
AGGREGATES = (
    ("forbund", "Förbundens id och namn"),
    ("responses", "Antal svar per år, förbund, grupp, fråga, kön och svarsalternativ"),
    ("participation", "Tillfrågade, ej nåbara och svarande per år, förbund och grupp"),
)

KINDS = ("forbund", "riket", "indikator")

#: File name (stem) of the national report in each year directory.
NATIONAL = "riket"

#: First line of every generated .qmd: marks files that write_pages may delete.
GENERATED_MARK = "# finsam: genererad sida – ändra inte för hand"

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


def _notice() -> tuple[str, str]:
    """(title, text) of the synthetic-data notice, as the reports word it."""
    return texts.SYNTHETIC_NOTICE_TITLE, texts.SYNTHETIC_NOTICE_TEXT


def publishes_aggregates(dataset) -> bool:
    """Whether the raw aggregates may be offered for download.

    True for synthetic data, and for real data only when its metadata sets
    :data:`PUBLISH_KEY` to true (read and checked as a boolean by :mod:`finsam.io`).
    """
    return dataset.synthetic or bool((dataset.meta or {}).get(PUBLISH_KEY, False))


# ---------------------------------------------------------------------------
# front matter


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
    from .catalog import load_catalog

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
            forbund, name = NATIONAL, "Riket"
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


def _dump(data: dict) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000
    )


def front_matter_yaml(fm: dict) -> str:
    """The raw-cell text for ``fm``: ``---`` / YAML / ``---`` (no trailing newline)."""
    return f"---\n{_dump(fm)}---"


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


# ---------------------------------------------------------------------------
# helpers


def _write_if_changed(path: Path, data: str | bytes, written: list[Path]) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not (path.is_file() and path.read_bytes() == raw):
        atomic_write_bytes(path, raw)
    written.append(path)


def _page(fm: dict, body: str = "") -> str:
    text = f"---\n{GENERATED_MARK}\n{_dump(fm)}---\n"
    body = body.strip()
    return text + ("\n" + body + "\n" if body else "")


def _synthetic_callout(dataset) -> str:
    if not dataset.synthetic:
        return ""
    title, text = _notice()
    return f'::: {{.callout-warning title="{title}"}}\n{text}\n:::\n'


def _table_listing(listing_id: str, contents: list[str], sort, fields, **extra) -> dict:
    listing = {"id": listing_id, "contents": contents, "type": "table", "sort": sort, "fields": fields}
    listing.update(extra)
    return listing


def _notebooks(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.ipynb") if not p.name.startswith((".", "_")))


# ---------------------------------------------------------------------------
# listing pages


def _year_page(dataset, year: int, notebooks: list[Path]) -> str:
    stems = {p.stem for p in notebooks}
    listings, body = [], [_synthetic_callout(dataset)]
    if NATIONAL in stems:
        listings.append(_table_listing("riket", [f"{NATIONAL}.ipynb"], ["title"], ["title", "description"]))
        body += ["## Riket", "", "::: {#riket}", ":::", ""]
    if stems - {NATIONAL}:
        listings.append(
            _table_listing(
                "forbund",
                ["*.ipynb", f"!{NATIONAL}.ipynb"],
                ["title"],
                ["title", "description"],
                **{"field-display-names": {"title": "Rapport", "description": "Innehåll"}},
            )
        )
        body += ["## Förbunden", "", "::: {#forbund}", ":::", ""]
    fm = {"title": f"Rapporter {year}", "description": f"Alla rapporter för mätåret {year}.", "year": year}
    if listings:
        fm["listing"] = listings
    else:
        body.append("Inga rapporter har byggts för detta år.")
    return _page(fm, "\n".join(body))


def _years_page(dataset, years: list[int]) -> str:
    fm = {"title": "Rapporter per år", "description": "Mätåren med nationell rapport och förbundens rapporter."}
    body = [_synthetic_callout(dataset), "Välj ett mätår. Varje år har en rapport för riket och en per förbund."]
    if years:
        fm["listing"] = _table_listing(
            "ar",
            [f"{y}/index.qmd" for y in sorted(years)],
            ["year desc"],
            ["title", "description"],
            **{"field-display-names": {"title": "År", "description": "Innehåll"}},
        )
    else:
        body.append("\nInga rapporter har byggts ännu (kör `finsam build`).")
    return _page(fm, "\n".join(body))


def _forbund_page(dataset, forbund: str, years: list[int]) -> str:
    name = escape.markdown(dataset.forbund_name(forbund))
    span = f"{min(years)}–{max(years)}" if len(years) > 1 else str(years[0])
    fm = {
        "title": name,
        "description": f"Rapporter {span}.",
        "forbund": forbund,
        "listing": _table_listing(
            "rapporter",
            [f"*/{forbund}.ipynb"],
            ["year desc"],
            ["year", "title"],
            **{"field-display-names": {"year": "År", "title": "Rapport"}},
        ),
    }
    body = [_synthetic_callout(dataset), f"Rapporterna för {name}, senaste mätåret först."]
    return _page(fm, "\n".join(body))


def _forbund_index_page(dataset, forbund_ids: list[str]) -> str:
    fm = {"title": "Förbund", "description": "Alla förbund med minst en rapport."}
    body = [_synthetic_callout(dataset), "Välj ett förbund för att se dess rapporter över åren."]
    if forbund_ids:
        fm["listing"] = _table_listing(
            "forbund",
            [f"forbund-{f}.qmd" for f in forbund_ids],
            ["title"],
            ["title", "description"],
            **{"field-display-names": {"title": "Förbund", "description": "Rapporter"}, "page-size": 100},
        )
    else:
        body.append("\nInga förbundsrapporter har byggts ännu (kör `finsam build`).")
    return _page(fm, "\n".join(body))


def _indicators_page(dataset, settings, notebooks: list[Path]) -> str:
    fm = {
        "title": "Indikatorer",
        "description": "En sida per indikator: förbunden jämförda över åren.",
    }
    body = [
        _synthetic_callout(dataset),
        "Varje sida jämför förbundens nyckeltal för en indikator, med "
        f"{_pct_level(settings.confidence)}-konfidensintervall och trattdiagram. Indikator 11 mäts genom registerstudie och har ingen sida.",
    ]
    if notebooks:
        fm["listing"] = _table_listing(
            "indikatorer",
            ["*.ipynb"],
            ["indicator"],
            ["title", "description"],
            **{"field-display-names": {"title": "Indikator", "description": "Innehåll"}, "sort-ui": False},
        )
    else:
        body.append("\nInga indikatorsidor har byggts ännu (kör `finsam build`).")
    return _page(fm, "\n".join(body))


def _metadata_yml(dataset, settings) -> str:
    meta = {
        "abstract-title": "Om underlaget",
        "execute": {"enabled": False, "echo": False, "warning": False},
        "finsam": {
            "dataset": escape.markdown((getattr(dataset, "meta", {}) or {}).get("name", "")),
            "synthetic": bool(dataset.synthetic),
            "settings": settings.fingerprint(),
        },
    }
    return "# finsam: genererad fil – ändra inte för hand\n" + _dump(meta)


# ---------------------------------------------------------------------------
# includes (Markdown fragments for index.qmd, metod.qmd, data.qmd)


def _pct_level(confidence: float) -> str:
    return fmt.number(confidence * 100, 0 if float(confidence * 100).is_integer() else 1) + fmt.NBSP + "%"


CI_NAMES = {"wilson": "Wilson", "jeffreys": "Jeffreys", "clopper_pearson": "Clopper–Pearson"}


def _reading_guide(settings) -> str:
    level = _pct_level(settings.confidence)
    margin = fmt.number(settings.margin_pp, 0 if float(settings.margin_pp).is_integer() else 1)
    return f"""\
- **Nyckeltal** är andelen *klart positiva* svar (de två högsta svarsalternativen, t.ex. "För det
  mesta" och "Alltid"), eller andelen "Ja" för ja/nej-frågor.
- **{level} KI** (konfidensintervall) visar hur osäker andelen är. Med få svar blir intervallet brett:
  en skillnad mellan två andelar vars intervall överlappar mycket kan vara slumpen.
- **Säkerställd skillnad** betyder att {level}-intervallet för skillnaden (förbundet mot resten av
  landet, eller mot förbundets eget föregående år) inte innehåller noll.
- **±{margin}-procentenhetersregeln** är NNS egen bedömning: en skillnad inom ±{margin} procentenheter
  kallas "Varken högre eller lägre". Regeln tar ingen hänsyn till antalet svar; läs den tillsammans med
  intervallet.
- **Pilar** visar förändring mot föregående år med samma marginal: ↑ högre, → oförändrat, ↓ lägre.
- **Få svar**: med färre än {settings.min_n} svar redovisas inget ("för få svar"); med färre än
  {settings.caution_n} svar står "litet underlag". Uppdelning på kvinnor och män visas bara när båda
  grupperna har minst {settings.gender_min_n} svar.
"""


def _method_rules(settings) -> str:
    level = _pct_level(settings.confidence)
    margin = fmt.number(settings.margin_pp, 0 if float(settings.margin_pp).is_integer() else 1)
    limits = fmt.join_list(_pct_level(x) for x in settings.funnel_limits)
    return f"""\
| Inställning | Värde | Källa |
|---|---|---|
| Intervallmetod för en andel | {CI_NAMES.get(settings.ci_method, settings.ci_method)} | projektets val |
| Konfidensnivå | {level} | projektets val |
| NNS marginal för "Högre"/"Lägre" och pilar | ±{margin} procentenheter | NNS rapporter (000) |
| Inget redovisas under | {settings.min_n} svar | röjandeskydd, projektets val |
| "Litet underlag" under | {settings.caution_n} svar | projektets val |
| Könsuppdelning kräver | minst {settings.gender_min_n} kvinnor och {settings.gender_min_n} män | NNS rapporter (004) |
| Trattdiagrammets kontrollgränser | {limits} | Spiegelhalter (2005) |

: Regler och trösklar i denna byggnad (från `finsam/settings.toml`). {{#tbl-installningar}}

Med färre än {settings.min_n} svar på en fråga publiceras varken andel, intervall eller jämförelse,
bara "för få svar (n < {settings.min_n})". Från {settings.min_n} till {settings.caution_n - 1} svar
visas siffrorna med förbehållet "litet underlag": då är {level}-intervallet ofta bredare än ±15
procentenheter. Kvinnor och män redovisas var för sig bara när båda grupperna har minst
{settings.gender_min_n} svar, som i NNS egna rapporter. Därutöver gäller *kompletterande
undertryckning*: om en grupp på 1–{settings.min_n - 1} personer skulle kunna räknas fram genom att
subtrahera publicerade tal (till exempel totalt minus kvinnor minus män) undertrycks även
könsuppdelningen.

En skillnad räknas som "Högre" eller "Lägre" enligt NNS regel först när den är större än
±{margin} procentenheter; exakt {margin} procentenheter är "Varken högre eller lägre".
"""


CLASS_NAMES = {
    "negative": "negativt",
    "neutral": "varken eller",
    "positive": "positivt",
    "clearly_positive": "positivt, klart positivt",
    "yes": "ja (nyckeltal)",
    "no": "nej",
}
SCALE_NAMES = {"frekvens": "Frekvens", "omfattning": "Omfattning", "janej": "Ja/nej"}


def _scales_table() -> str:
    from .catalog import load_catalog

    cat = load_catalog()
    lines = ["| Skala | Kod | Svarsalternativ | Klass |", "|---|--:|---|---|"]
    for scale in dict.fromkeys(cat.scales["scale"]):
        rows = cat.scales.loc[cat.scales["scale"] == scale].sort_values("code")
        for _, r in rows.iterrows():
            cls = CLASS_NAMES.get(r["class"], r["class"])
            if r["class"] == "clearly_positive":
                cls += " (nyckeltal)"
            lines.append(f"| {SCALE_NAMES.get(scale, scale)} | {int(r['code'])} | {r['label']} | {cls} |")
    lines.append("")
    lines.append(": Svarsskalor och klassning (från `data/catalog/scales.csv`). {#tbl-skalor}")
    return "\n".join(lines) + "\n"


def _synthetic_include(dataset) -> str:
    return _synthetic_callout(dataset)


def _indicator_list() -> str:
    from .catalog import load_catalog

    cat = load_catalog()
    lines = []
    for _, area in cat.areas.sort_values("order").iterrows():
        rows = cat.indicators.loc[cat.indicators["area"] == area["area"]].sort_values("indicator")
        if not len(rows):
            continue
        lines.append(f"**{area['name']}**\n")
        for _, r in rows.iterrows():
            note = "" if bool(r["questionnaire"]) else " *(mäts inte med enkät)*"
            lines.append(f"{int(r['indicator'])}. {r['name']}{note}")
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# results and downloads


def _results_tables(dataset, settings, years: list[int]) -> dict:
    """Results of ``finsam results`` per (year, level): every förbund plus the national rows.

    Uses :func:`finsam.results.compute_all` once for all years (the same
    computation ``compute_results`` runs per call); an empty dict while that
    module is missing.
    """
    try:
        from .results import compute_all  # noqa: PLC0415
        from .stats import ALL_GROUPS, NATIONAL as RESULTS_NATIONAL, order_columns  # noqa: PLC0415
    except ImportError:
        return {}
    import pandas as pd

    if not years:
        return {}
    res = compute_all(dataset, settings, years=years)
    tables = {}
    for year in years:
        for level in ("question", "indicator"):
            parts = []
            for forbund in (None, RESULTS_NATIONAL):
                if level == "question":
                    parts.append(res.questions(year, forbund))
                else:
                    parts.append(res.indicators(year, forbund, group=ALL_GROUPS))
            df = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[0]
            tables[(year, level)] = order_columns(df).reset_index(drop=True)
    return tables


def _csv_bytes(df) -> bytes:
    """A published CSV: formula prefixes in text cells neutralised (OWASP), numbers unchanged."""
    return escape.spreadsheet_frame(df).to_csv(index=False, lineterminator="\n").encode("utf-8")


def _count(n) -> str:
    import pandas as pd

    return fmt.MISSING if n is None or pd.isna(n) else fmt.integer(int(n))


def _latest_table(dataset, settings, years: list[int], cache: dict) -> str:
    if not years:
        return "Inga data.\n"
    year = max(years)
    df = cache.get((year, "indicator"))
    head = f"Riket, mätåret {year}: andel klart positiva svar (nyckeltal) per indikator.\n\n"
    if df is None or "forbund" not in getattr(df, "columns", []):
        return head + "Riksresultaten visas här när resultaten har beräknats (`finsam results`).\n"
    rows = df.loc[df["forbund"] == NATIONAL]
    if "gender" in rows.columns:
        rows = rows.loc[rows["gender"] == "alla"]
    if "group" in rows.columns and rows["group"].astype(str).isin(["alla", ""]).any():
        rows = rows.loc[rows["group"].astype(str).isin(["alla", ""])]
    from .catalog import load_catalog

    cat = load_catalog()
    lines = [head, f"| Indikator | Nyckeltal | {_pct_level(settings.confidence)} KI | n |", "|---|--:|--:|--:|"]
    for ind in sorted(int(i) for i in rows["indicator"].dropna().unique()):
        r = rows.loc[rows["indicator"].astype(float) == ind].iloc[0]
        name = cat.indicators.loc[cat.indicators["indicator"] == ind, "short_name"]
        label = f"{ind}. {name.iloc[0] if len(name) else ''}"
        withheld = bool(r.get("withheld")) is True
        if r.get("reason") == "no_answers":
            continue
        if withheld or fmt.is_missing(r.get("key_share")):
            lines.append(f"| {label} | för få svar | {fmt.MISSING} | {_count(r.get('n'))} |")
        else:
            lines.append(
                f"| {label} | {fmt.pct(r['key_share'])} | {fmt.interval(r.get('ci_low'), r.get('ci_high'))} "
                f"| {_count(r.get('n'))} |"
            )
    lines.append("")
    lines.append(
        f": Riket {year}. KI = {_pct_level(settings.confidence)} konfidensintervall; "
        "n = effektivt antal svar (se Metod)."
    )
    return "\n".join(lines) + "\n"


def _downloads(dataset, settings, results_files: list[Path], aggregates: list[Path]) -> str:
    """The Data page's download table and, for unpublished aggregates, why they are missing."""
    lines = ["| Fil | Innehåll |", "|---|---|"]
    what = dict(AGGREGATES)
    for path in aggregates:
        lines.append(f"| [{path.name}](reports/data/{path.name}) | {what[path.stem]} |")
    for path in results_files:
        m = re.match(r"resultat_(\d{4})_(fraga|indikator)\.csv", path.name)
        if m:
            level = "fråga" if m.group(2) == "fraga" else "indikator"
            lines.append(f"| [{path.name}](reports/data/{path.name}) | Resultat {m.group(1)} per {level} (alla förbund och riket) |")
    if publishes_aggregates(dataset):
        if dataset.synthetic:
            why = f"{_notice()[0]}: underlaget är påhittat och publiceras i sin helhet."
        else:
            why = f"Underlaget publiceras i sin helhet (`{PUBLISH_KEY} = true` i `dataset.toml`)."
    else:
        names = fmt.join_list(f"`{name}.csv`" for name, _ in AGGREGATES)
        why = (
            f"Underlaget ({names}) publiceras inte här: det innehåller celler med färre än {settings.min_n} "
            "svar, som rapporterna inte redovisar av röjandeskäl. Här finns bara de beräknade resultaten, "
            "där sådana celler är tomma. Den som förvaltar underlaget kan tillåta publicering med "
            f"`{PUBLISH_KEY} = true` i `dataset.toml`."
        )
    if len(lines) == 2:
        return why + "\n\nInga nedladdningar har byggts ännu (kör `finsam build`).\n"
    return why + "\n\n" + "\n".join(lines) + "\n\n: Nedladdningar (UTF-8, kommaseparerade).\n"


# ---------------------------------------------------------------------------
# entry point


def write_pages(dataset, settings, root) -> list[Path]:
    """Write the generated site pages under ``root/reports``.

    Call it after the notebooks have been executed: the listing pages are
    derived from the notebooks found in ``root/reports`` (a Quarto listing whose
    contents match no file is an error), the förbund names, years and the
    synthetic flag from ``dataset``, every number from ``settings``.

    Parameters
    ----------
    dataset : finsam.io.Dataset
    settings : finsam.settings.Settings
    root : path
        The project root (the directory with ``_quarto.yml``).

    Returns
    -------
    list of Path
        Every file written or confirmed unchanged, in a fixed order. Generated
        pages that are no longer needed (marked with :data:`GENERATED_MARK`) and
        every other CSV in ``reports/data`` (stale results; aggregates that may
        not be published, see :func:`publishes_aggregates`) are removed.
    """
    root = Path(root)
    reports = root / "reports"
    written: list[Path] = []

    # Reports present on disk, by year and by förbund.
    years: list[int] = []
    by_forbund: dict[str, list[int]] = {}
    for d in sorted(p for p in reports.glob("[0-9][0-9][0-9][0-9]") if p.is_dir()):
        notebooks = _notebooks(d)
        if not notebooks:
            continue
        year = int(d.name)
        years.append(year)
        _write_if_changed(d / "index.qmd", _year_page(dataset, year, notebooks), written)
        for nb in notebooks:
            if nb.stem != NATIONAL:
                by_forbund.setdefault(nb.stem, []).append(year)

    _write_if_changed(reports / "index.qmd", _years_page(dataset, years), written)
    for forbund in sorted(by_forbund):
        _write_if_changed(
            reports / f"forbund-{forbund}.qmd", _forbund_page(dataset, forbund, sorted(by_forbund[forbund])), written
        )
    _write_if_changed(reports / "forbund.qmd", _forbund_index_page(dataset, sorted(by_forbund)), written)
    _write_if_changed(
        reports / "indikatorer" / "index.qmd", _indicators_page(dataset, settings, _notebooks(reports / "indikatorer")), written
    )
    _write_if_changed(reports / "_metadata.yml", _metadata_yml(dataset, settings), written)

    # Downloads: the computed results, and the raw aggregates only if they may be published.
    data_dir = reports / "data"
    aggregates: list[Path] = []
    if publishes_aggregates(dataset):
        for name, _ in AGGREGATES:
            path = data_dir / f"{name}.csv"
            _write_if_changed(path, _csv_bytes(getattr(dataset, name)), written)
            aggregates.append(path)
    response_years = sorted({int(y) for y in dataset.responses["year"]})
    cache = _results_tables(dataset, settings, response_years)
    results_files: list[Path] = []
    if cache:
        from .results import results_csv_text  # noqa: PLC0415

        for (year, level), df in sorted(cache.items(), key=lambda kv: (kv[0][0], kv[0][1] != "question")):
            tag = "fraga" if level == "question" else "indikator"
            path = data_dir / f"resultat_{year}_{tag}.csv"
            _write_if_changed(path, results_csv_text(df), written)
            results_files.append(path)

    # The explorer reads exactly the indicator results files written above.
    from . import explorer  # noqa: PLC0415

    explorer_fm, explorer_body = explorer.explorer_page(settings, results_files, _synthetic_callout(dataset))
    _write_if_changed(reports / explorer.PAGE, _page(explorer_fm, explorer_body), written)
    labels = explorer.labels_json(dataset, settings, sorted(dataset.forbund["forbund"].astype(str)))
    _write_if_changed(reports / explorer.LABELS_FILE, labels, written)

    # Includes for the root pages.
    includes = {
        "_senaste.md": _synthetic_include(dataset) + "\n" + _latest_table(dataset, settings, response_years, cache),
        "_indikatorlista.md": _indicator_list(),
        "_lasanvisning.md": _reading_guide(settings),
        "_metod-regler.md": _method_rules(settings),
        "_skalor.md": _scales_table(),
        "_syntetiskt.md": _synthetic_include(dataset) or "\n",
        "_nedladdningar.md": _downloads(dataset, settings, results_files, aggregates),
    }
    for name, text in includes.items():
        _write_if_changed(reports / name, text, written)

    _remove_stale(reports, set(written))
    return written


def _remove_stale(reports: Path, keep: set[Path]) -> None:
    for qmd in reports.rglob("*.qmd"):
        if qmd in keep:
            continue
        try:
            first = qmd.read_text(encoding="utf-8").split("\n", 2)[1]
        except (IndexError, OSError, UnicodeDecodeError):
            continue
        if first == GENERATED_MARK:
            qmd.unlink()
    # Stale results, and aggregates left by an earlier build that was allowed to publish them.
    for csv in (reports / "data").glob("*.csv"):
        if csv not in keep:
            csv.unlink()
