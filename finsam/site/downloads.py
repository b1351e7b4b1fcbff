"""The Data page's downloads: the results CSVs and, when they may be published, the raw aggregates."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .. import escape, fmt, texts
from ..cache import load_results
from ..codes import ALL_GROUPS, NATIONAL
from ..results import Results, compute_all
from ..stats import order_columns

#: ``dataset.toml`` key (section ``[dataset]``) that allows publishing the raw
#: aggregates of real data on the Data page (default false; synthetic data always may).
PUBLISH_KEY = "publish_aggregates"

#: The raw aggregate tables (file stem = Dataset attribute) and their description.
AGGREGATES = (
    ("forbund", "Förbundens id och namn"),
    ("responses", "Antal svar per år, förbund, grupp, fråga, kön och svarsalternativ"),
    ("participation", "Tillfrågade, ej nåbara och svarande per år, förbund och grupp"),
)


def publishes_aggregates(dataset) -> bool:
    """Whether the raw aggregates may be offered for download.

    True for synthetic data, and for real data only when its metadata sets
    :data:`PUBLISH_KEY` to true (read and checked as a boolean by :mod:`finsam.io`).
    """
    return dataset.synthetic or bool((dataset.meta or {}).get(PUBLISH_KEY, False))


_DATA_TABLES = ("responses", "participation", "national", "national_participation")


def _same_data(a, b) -> bool:
    """Whether two datasets hold the same rows (the tables the statistics read)."""
    for name in _DATA_TABLES:
        x, y = getattr(a, name, None), getattr(b, name, None)
        if (x is None) != (y is None):
            return False
        if x is not None and not (x.shape == y.shape and x.astype(str).equals(y.astype(str))):
            return False
    return True


def dataset_results(dataset, settings, root) -> Results:
    """The dataset's :class:`~finsam.results.Results`, through the results cache the reports use.

    :func:`finsam.cache.load_results` of the dataset's source (cached per data
    content, settings and code, in memory and in the project's disk cache);
    computed here only for a dataset that is not its source's content (one
    built in memory, or changed after loading).
    """
    source = getattr(dataset, "source", None)
    if source is not None and Path(source).exists():
        cached, results = load_results(source, settings, root=root)
        if _same_data(cached, dataset):
            return results
    return compute_all(dataset, settings)


def results_tables(dataset, settings, years: list[int], root) -> dict:
    """Results of ``finsam results`` per (year, level): every förbund plus the national rows.

    From :func:`dataset_results` (the reports' cached results), so the site's
    downloads and the reports show the same computation.
    """
    if not years:
        return {}
    res = dataset_results(dataset, settings, root)
    tables = {}
    for year in years:
        for level in ("question", "indicator"):
            parts = []
            for forbund in (None, NATIONAL):
                if level == "question":
                    parts.append(res.questions(year, forbund))
                else:
                    parts.append(res.indicators(year, forbund, group=ALL_GROUPS))
            df = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[0]
            tables[(year, level)] = order_columns(df).reset_index(drop=True)
    return tables


def csv_bytes(df) -> bytes:
    """A published CSV: formula prefixes in text cells neutralised (OWASP), numbers unchanged."""
    return escape.spreadsheet_frame(df).to_csv(index=False, lineterminator="\n").encode("utf-8")


def downloads_text(dataset, settings, results_files: list[Path], aggregates: list[Path]) -> str:
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
            why = f"{texts.SYNTHETIC_NOTICE_TITLE}: underlaget är påhittat och publiceras i sin helhet."
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

