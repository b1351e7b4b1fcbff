"""The listing pages (years, förbund, indicators) and the directory metadata of ``reports/``."""

from __future__ import annotations

from pathlib import Path

from .. import escape, fmt, texts
from .._atomic import atomic_write_bytes
from ..codes import NATIONAL
from .frontmatter import dump

#: First line of every generated .qmd: marks files that write_pages may delete.
GENERATED_MARK = "# finsam: genererad sida – ändra inte för hand"


def write_if_changed(path: Path, data: str | bytes, written: list[Path]) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not (path.is_file() and path.read_bytes() == raw):
        atomic_write_bytes(path, raw)
    written.append(path)


def page(fm: dict, body: str = "") -> str:
    text = f"---\n{GENERATED_MARK}\n{dump(fm)}---\n"
    body = body.strip()
    return text + ("\n" + body + "\n" if body else "")


def synthetic_callout(dataset) -> str:
    if not dataset.synthetic:
        return ""
    title, text = texts.SYNTHETIC_NOTICE_TITLE, texts.SYNTHETIC_NOTICE_TEXT
    return f'::: {{.callout-warning title="{title}"}}\n{text}\n:::\n'


def _table_listing(listing_id: str, contents: list[str], sort, fields, **extra) -> dict:
    listing = {"id": listing_id, "contents": contents, "type": "table", "sort": sort, "fields": fields}
    listing.update(extra)
    return listing


def notebooks(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.ipynb") if not p.name.startswith((".", "_")))


def outdated_callout(dataset, notebooks: list[Path], outdated: dict[str, str]) -> str:
    """A warning naming the reports of the page whose last run failed (their pages are from an earlier run)."""
    shown = {p.name for p in notebooks}
    items = []
    for name, why in sorted(outdated.items()):
        stem = Path(name).stem
        label = texts.NATIONAL_LABEL if stem == NATIONAL else dataset.forbund_name(stem)
        state = "sidan är från en tidigare körning" if name in shown else "rapporten saknas"
        items.append(f"- {escape.markdown(label)} ({state}): {escape.markdown(why)}")
    if not items:
        return ""
    return "\n".join([
        "::: {.callout-warning}", f"## {texts.OUTDATED_TITLE}", "", texts.OUTDATED_TEXT, "", *items, ":::", "",
    ])


def year_page(dataset, year: int, notebooks: list[Path], outdated: dict[str, str] | None = None) -> str:
    """The page of a year: riket and the förbund reports; reports whose last run failed are named first."""
    stems = {p.stem for p in notebooks}
    listings, body = [], [synthetic_callout(dataset), outdated_callout(dataset, notebooks, outdated or {})]
    if NATIONAL in stems:
        listings.append(_table_listing(NATIONAL, [f"{NATIONAL}.ipynb"], ["title"], ["title", "description"]))
        body += [f"## {texts.NATIONAL_LABEL}", "", f"::: {{#{NATIONAL}}}", ":::", ""]
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
    return page(fm, "\n".join(body))


def _index_page(dataset, fm: dict, intro: str, listing: dict | None, nothing_built: str) -> str:
    """A page listing other pages: the listing, or without one (nothing built yet) a sentence saying so."""
    body = [synthetic_callout(dataset), intro]
    if listing is not None:
        fm["listing"] = listing
    else:
        body.append(f"\nInga {nothing_built} har byggts ännu (kör `finsam build`).")
    return page(fm, "\n".join(body))


def years_page(dataset, years: list[int]) -> str:
    listing = _table_listing(
        "ar",
        [f"{y}/index.qmd" for y in sorted(years)],
        ["year desc"],
        ["title", "description"],
        **{"field-display-names": {"title": "År", "description": "Innehåll"}},
    ) if years else None
    return _index_page(
        dataset,
        {"title": "Rapporter per år", "description": "Mätåren med nationell rapport och förbundens rapporter."},
        "Välj ett mätår. Varje år har en rapport för riket och en per förbund.", listing, "rapporter")


def forbund_page(dataset, forbund: str, years: list[int]) -> str:
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
    body = [synthetic_callout(dataset), f"Rapporterna för {name}, senaste mätåret först."]
    return page(fm, "\n".join(body))


def forbund_index_page(dataset, forbund_ids: list[str]) -> str:
    listing = _table_listing(
        "forbund",
        [f"forbund-{f}.qmd" for f in forbund_ids],
        ["title"],
        ["title", "description"],
        **{"field-display-names": {"title": "Förbund", "description": "Rapporter"}, "page-size": 100},
    ) if forbund_ids else None
    return _index_page(dataset, {"title": "Förbund", "description": "Alla förbund med minst en rapport."},
                       "Välj ett förbund för att se dess rapporter över åren.", listing, "förbundsrapporter")


def indicators_page(dataset, settings, notebooks: list[Path]) -> str:
    listing = _table_listing(
        "indikatorer",
        ["*.ipynb"],
        ["indicator"],
        ["title", "description"],
        **{"field-display-names": {"title": "Indikator", "description": "Innehåll"}, "sort-ui": False},
    ) if notebooks else None
    return _index_page(
        dataset,
        {"title": "Indikatorer", "description": "En sida per indikator: förbunden jämförda över åren."},
        "Varje sida jämför förbundens nyckeltal för en indikator, med "
        f"{fmt.level(settings.confidence)}-konfidensintervall och trattdiagram. Indikator 11 mäts genom "
        "registerstudie och har ingen sida.",
        listing, "indikatorsidor")


def metadata_yml(dataset, settings) -> str:
    meta = {
        "abstract-title": "Om underlaget",
        "execute": {"enabled": False, "echo": False, "warning": False},
        "finsam": {
            "dataset": escape.markdown((getattr(dataset, "meta", {}) or {}).get("name", "")),
            "synthetic": bool(dataset.synthetic),
            "settings": settings.fingerprint(),
        },
    }
    return "# finsam: genererad fil – ändra inte för hand\n" + dump(meta)
