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

from pathlib import Path

from .downloads import AGGREGATES, PUBLISH_KEY, csv_bytes, downloads_text, publishes_aggregates, results_tables
from .frontmatter import FORMAT_LINKS, TYPST_FORMAT, front_matter, front_matter_yaml, read_front_matter
from .includes import indicator_list, latest_table, method_rules, reading_guide, scales_table
from .pages import (GENERATED_MARK, forbund_index_page, forbund_page, indicators_page, metadata_yml, notebooks, page,
                    synthetic_callout, write_if_changed, year_page, years_page)
from .._manifest import failed_reports
from ..codes import KINDS, NATIONAL

__all__ = ["AGGREGATES", "FORMAT_LINKS", "GENERATED_MARK", "KINDS", "NATIONAL", "PUBLISH_KEY", "TYPST_FORMAT",
           "front_matter", "front_matter_yaml", "publishes_aggregates", "read_front_matter", "write_pages"]


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
    # Reports whose last run failed: the year page says so (the page on disk is from an earlier run).
    failed = failed_reports(root)
    for d in sorted(p for p in reports.glob("[0-9][0-9][0-9][0-9]") if p.is_dir()):
        found = notebooks(d)
        if not found:
            continue
        year = int(d.name)
        years.append(year)
        outdated = {key.split("/", 1)[1]: why for key, why in failed.items() if key.startswith(f"{d.name}/")}
        write_if_changed(d / "index.qmd", year_page(dataset, year, found, outdated), written)
        for nb in found:
            if nb.stem != NATIONAL:
                by_forbund.setdefault(nb.stem, []).append(year)

    write_if_changed(reports / "index.qmd", years_page(dataset, years), written)
    for forbund in sorted(by_forbund):
        write_if_changed(
            reports / f"forbund-{forbund}.qmd", forbund_page(dataset, forbund, sorted(by_forbund[forbund])), written
        )
    write_if_changed(reports / "forbund.qmd", forbund_index_page(dataset, sorted(by_forbund)), written)
    write_if_changed(
        reports / "indikatorer" / "index.qmd", indicators_page(dataset, settings, notebooks(reports / "indikatorer")), written
    )
    write_if_changed(reports / "_metadata.yml", metadata_yml(dataset, settings), written)

    # Downloads: the computed results, and the raw aggregates only if they may be published.
    data_dir = reports / "data"
    aggregates: list[Path] = []
    if publishes_aggregates(dataset):
        for name, _ in AGGREGATES:
            path = data_dir / f"{name}.csv"
            write_if_changed(path, csv_bytes(getattr(dataset, name)), written)
            aggregates.append(path)
    response_years = sorted({int(y) for y in dataset.responses["year"]})
    cache = results_tables(dataset, settings, response_years, root)
    results_files: list[Path] = []
    if cache:
        from ..results import results_csv_text  # noqa: PLC0415

        for (year, level), df in sorted(cache.items(), key=lambda kv: (kv[0][0], kv[0][1] != "question")):
            tag = "fraga" if level == "question" else "indikator"
            path = data_dir / f"resultat_{year}_{tag}.csv"
            write_if_changed(path, results_csv_text(df), written)
            results_files.append(path)

    # The explorer reads exactly the indicator results files written above.
    from .. import explorer  # noqa: PLC0415

    explorer_fm, explorer_body = explorer.explorer_page(settings, results_files, synthetic_callout(dataset))
    write_if_changed(reports / explorer.PAGE, page(explorer_fm, explorer_body), written)
    labels = explorer.labels_json(dataset, settings, sorted(dataset.forbund["forbund"].astype(str)))
    write_if_changed(reports / explorer.LABELS_FILE, labels, written)

    # Includes for the root pages.
    includes = {
        "_senaste.md": synthetic_callout(dataset) + "\n" + latest_table(dataset, settings, response_years, cache),
        "_indikatorlista.md": indicator_list(),
        "_lasanvisning.md": reading_guide(settings),
        "_metod-regler.md": method_rules(settings),
        "_skalor.md": scales_table(),
        "_syntetiskt.md": synthetic_callout(dataset) or "\n",
        "_nedladdningar.md": downloads_text(dataset, settings, results_files, aggregates),
    }
    for name, text in includes.items():
        write_if_changed(reports / name, text, written)

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
