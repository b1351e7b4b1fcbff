"""The Quarto website: _quarto.yml, front matter and the generated pages.

Structural tests run without Quarto: the listing tests on stub notebooks
(fast), the report tests on a real build (tests/_realbuild.py: the real
templates, 2 förbund × 2 years + riket + one indicator page, built once per
session). The rendered site is tested in test_render.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from _realbuild import REPORT_KEYS, real_build

from finsam import load_dataset, texts
from finsam._paths import DEMO_DIR
from finsam.io import Dataset, read_meta
from finsam.settings import DEFAULT_SETTINGS, Settings
from finsam.site import (
    GENERATED_MARK,
    PUBLISH_KEY,
    front_matter,
    front_matter_yaml,
    publishes_aggregates,
    read_front_matter,
    write_pages,
)

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "valid"
SITE_FILES = ("_quarto.yml", "theme.scss", "index.qmd", "metod.qmd", "data.qmd")
DATE_RE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b|\b\d\d:\d\d:\d\d\b")


# ---------------------------------------------------------------------------
# helpers


def _glob_regex(glob: str) -> re.Pattern:
    """Quarto/Deno glob semantics for the patterns we use: ``*`` within a segment, ``**`` any depth."""
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob.startswith("**", i):
            out, i = out + ".*", i + 2
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out + r"\Z")


def _listing_matches(page: Path, contents: list[str]) -> set[Path]:
    """Files a listing's ``contents`` select, resolved the way Quarto does for globs.

    Relative to the page's directory, a relative glob is searched at any depth
    (Quarto prefixes ``**/``), ``!glob`` excludes; files starting with ``_`` or
    ``.`` and the page itself are never listed.
    """
    base = page.parent
    files = [
        p for p in base.rglob("*")
        if p.is_file() and p != page and not any(part.startswith(("_", ".")) for part in p.relative_to(base).parts)
    ]
    rel = {p: p.relative_to(base).as_posix() for p in files}
    inc = [_glob_regex("**/" + c) for c in contents if not c.startswith("!")]
    exc = [_glob_regex("**/" + c[1:]) for c in contents if c.startswith("!")]
    return {p for p, r in rel.items() if any(x.match(r) for x in inc) and not any(x.match(r) for x in exc)}


def _listings(page: Path) -> list[dict]:
    fm = read_front_matter(page) or {}
    listing = fm.get("listing")
    if listing is None:
        return []
    return listing if isinstance(listing, list) else [listing]


def _write_notebook(path: Path, fm: dict, body: str = "Text.") -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_raw_cell(front_matter_yaml(fm)), nbformat.v4.new_markdown_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def _simulate_build(root: Path, ds: Dataset, indicators=(1, 5, 16)) -> list[Path]:
    """What `finsam build` leaves in reports/: executed notebooks with front matter."""
    made = []
    for year in ds.years:
        for f in ds.forbund["forbund"]:
            p = root / "reports" / str(year) / f"{f}.ipynb"
            _write_notebook(p, front_matter("forbund", ds, year=year, forbund=f))
            made.append(p)
        p = root / "reports" / str(year) / "riket.ipynb"
        _write_notebook(p, front_matter("riket", ds, year=year))
        made.append(p)
    for i in indicators:
        p = root / "reports" / "indikatorer" / f"{i}.ipynb"
        _write_notebook(p, front_matter("indikator", ds, indicator=i))
        made.append(p)
    return made


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(FIXTURE)


def _with_meta(ds: Dataset, **meta) -> Dataset:
    return Dataset(ds.forbund, ds.responses, ds.participation, meta={**ds.meta, **meta}, source=ds.source)


@pytest.fixture
def synthetic(ds) -> Dataset:
    return _with_meta(ds, synthetic=True)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The session's real build (see tests/_realbuild.py)."""
    return real_build(tmp_path_factory)


@pytest.fixture(scope="module")
def quarto_yml() -> dict:
    return yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))


@pytest.fixture
def built(tmp_path, ds):
    notebooks = _simulate_build(tmp_path, ds)
    written = write_pages(ds, DEFAULT_SETTINGS, tmp_path)
    return tmp_path, notebooks, written


# ---------------------------------------------------------------------------
# _quarto.yml


def test_project_basics(quarto_yml):
    project = quarto_yml["project"]
    assert project["type"] == "website"
    assert project["output-dir"] == "_site"
    assert quarto_yml["lang"] == "sv"
    # Swedish file has callout-danger-title instead of callout-caution-title.
    assert quarto_yml["language"]["callout-caution-title"] == "Observera"
    assert quarto_yml["execute"]["enabled"] is False
    assert quarto_yml["execute"]["echo"] is False


def test_render_list_covers_site_and_reports_only(quarto_yml):
    render = [_glob_regex(g) for g in quarto_yml["project"]["render"]]

    def rendered(path: str) -> bool:
        return any(r.match(path) for r in render)

    for path in ("index.qmd", "metod.qmd", "data.qmd", "reports/index.qmd", "reports/2023/index.qmd",
                 "reports/2023/alfa.ipynb", "reports/2023/riket.ipynb", "reports/forbund.qmd",
                 "reports/forbund-alfa.qmd", "reports/indikatorer/5.ipynb", "reports/indikatorer/index.qmd",
                 "reports/utforska.qmd"):
        assert rendered(path), path
    for path in ("README.md", "README.qmd", "notebooks/forbund.ipynb", "notebooks/indikator.ipynb",
                 "tests/fixtures/x.qmd", "data/published/README.md", "benchmarks/x.ipynb"):
        assert not rendered(path), path


def test_html_theme_navbar_and_no_sidebar(quarto_yml):
    html = quarto_yml["format"]["html"]
    assert "theme.scss" in html["theme"] and (REPO / "theme.scss").is_file()
    assert "typst" not in quarto_yml["format"]  # only reports get a PDF (their own front matter)
    website = quarto_yml["website"]
    assert "sidebar" not in website
    assert website["search"] is not False
    texts = [item["text"] for item in website["navbar"]["left"]]
    assert texts == ["Start", "År", "Förbund", "Indikatorer", "Utforska", "Metod", "Data"]


def test_navbar_targets_exist_after_write_pages(built, quarto_yml):
    root, _, _ = built
    for name in SITE_FILES[2:]:
        shutil.copy(REPO / name, root / name)
    for item in quarto_yml["website"]["navbar"]["left"]:
        assert (root / item["href"]).is_file(), item["href"]


def test_root_pages_include_generated_files(built):
    root, _, written = built
    generated = {p.relative_to(root).as_posix() for p in written}
    for page in ("index.qmd", "metod.qmd", "data.qmd"):
        text = (REPO / page).read_text(encoding="utf-8")
        includes = re.findall(r"\{\{< include (\S+) >\}\}", text)
        assert includes, page
        for inc in includes:
            assert inc in generated, (page, inc)
        assert read_front_matter(REPO / page)["title"]


# ---------------------------------------------------------------------------
# front matter


@pytest.mark.parametrize(
    "kind, kwargs, title",
    [
        ("forbund", {"year": 2023, "forbund": "beta"}, "Indikatorer 2023 – Samordningsförbundet Bäckebo"),
        ("riket", {"year": 2022}, "Indikatorer 2022 – Riket"),
        ("indikator", {"indicator": 5}, "Indikator 5: Hantera sin situation"),
    ],
)
def test_front_matter_fields(ds, kind, kwargs, title):
    fm = front_matter(kind, ds, **kwargs)
    back = yaml.safe_load(front_matter_yaml(fm).strip().strip("-"))
    assert back == fm
    assert fm["title"] == title
    for key in ("subtitle", "description", "abstract", "categories", "format"):
        assert fm[key], key
    assert fm["abstract"] == "Datakälla: Handskrivna testdata för finsam."
    assert set(fm["format"]) == {"html", "typst"}
    assert fm["format"]["typst"]["papersize"] == "a4"
    assert fm["format-links"][0]["format"] == "typst"
    assert "date" not in fm and not DATE_RE.search(front_matter_yaml(fm))
    if kind != "indikator":
        assert fm["year"] == kwargs["year"]
        assert fm["categories"] == [str(kwargs["year"]), fm["forbund_name"]]
    if kind == "forbund":
        assert (fm["forbund"], fm["forbund_name"]) == ("beta", "Samordningsförbundet Bäckebo")
    assert texts.SYNTHETIC_NOTICE_TITLE not in front_matter_yaml(fm)


def test_front_matter_synthetic_notice(synthetic, ds):
    # Said once, by the report's callout: neither the subtitle nor the abstract repeats it (issue 16).
    fm = front_matter("forbund", synthetic, year=2023, forbund="alfa")
    assert texts.SYNTHETIC_NOTICE_TITLE not in fm["subtitle"]
    assert fm["abstract"] == "Datakälla: Handskrivna testdata för finsam."
    assert fm["synthetic"] is True
    # The demo data: a long source note falls back to nothing (its name would only repeat the notice).
    demo = Dataset(ds.forbund, ds.responses, ds.participation, meta=read_meta(DEMO_DIR), source=ds.source)
    assert demo.synthetic and len(demo.meta["source"]) > 160
    fm = front_matter("riket", demo, year=2023)
    assert "abstract" not in fm and "abstract-title" not in fm
    assert "Syntetiska demodata" not in front_matter_yaml(fm)


def test_front_matter_rejects_bad_arguments(ds):
    with pytest.raises(ValueError, match="okänd rapporttyp"):
        front_matter("kommun", ds, year=2023)
    with pytest.raises(ValueError, match="kräver ett år"):
        front_matter("riket", ds)
    with pytest.raises(ValueError, match="kräver ett förbund"):
        front_matter("forbund", ds, year=2023)
    with pytest.raises(ValueError, match="okänd indikator"):
        front_matter("indikator", ds, indicator=99)


# ---------------------------------------------------------------------------
# generated pages


def test_every_listing_selects_exactly_the_built_reports(built, ds):
    root, notebooks, written = built
    reports = root / "reports"
    pages = sorted(p for p in written if p.suffix == ".qmd")
    expected = {
        reports / "2022" / "index.qmd": {"riket": {"2022/riket"}, "forbund": {"2022/alfa", "2022/beta"}},
        reports / "2023" / "index.qmd": {"riket": {"2023/riket"}, "forbund": {"2023/alfa", "2023/beta"}},
        reports / "forbund-alfa.qmd": {"rapporter": {"2022/alfa", "2023/alfa"}},
        reports / "forbund-beta.qmd": {"rapporter": {"2022/beta", "2023/beta"}},
        reports / "forbund.qmd": {"forbund": {"forbund-alfa", "forbund-beta"}},
        reports / "index.qmd": {"ar": {"2022/index", "2023/index"}},
        reports / "indikatorer" / "index.qmd": {"indikatorer": {"indikatorer/1", "indikatorer/5", "indikatorer/16"}},
        reports / "utforska.qmd": {},  # the explorer lists nothing
    }
    assert set(pages) == set(expected)
    for page in pages:
        got = {}
        for listing in _listings(page):
            assert all(".." not in c and not c.startswith("/") for c in listing["contents"]), page
            matched = _listing_matches(page, listing["contents"])
            got[listing["id"]] = {p.relative_to(reports).with_suffix("").as_posix() for p in matched}
            for p in matched:  # every listed item has front matter with a title
                assert read_front_matter(p)["title"], p
        assert got == expected[page], page


def test_listing_sort_fields_exist_in_items(built):
    root, _, written = built
    for page in (p for p in written if p.suffix == ".qmd"):
        for listing in _listings(page):
            for item in _listing_matches(page, listing["contents"]):
                fm = read_front_matter(item)
                for key in listing["sort"]:
                    assert key.split()[0] in fm, (page, item, key)


def test_metadata_yml_has_no_formats(built):
    root, _, _ = built
    meta = yaml.safe_load((root / "reports" / "_metadata.yml").read_text(encoding="utf-8"))
    # format is not merged: a format here would give every listing page a PDF.
    assert "format" not in meta
    assert meta["execute"]["enabled"] is False


AGGREGATES = ("forbund.csv", "responses.csv", "participation.csv")


def test_real_aggregates_are_not_published(built, ds):
    """Real data: responses.csv has cells below min_n (alfa 2023, 1–4 answers per code); never copy it."""
    root, _, written = built
    assert not ds.synthetic and PUBLISH_KEY not in ds.meta and not publishes_aggregates(ds)
    small = ds.responses.loc[(ds.responses["count"] < DEFAULT_SETTINGS.min_n)]
    assert len(small)  # the fixture does have such cells
    data = root / "reports" / "data"
    assert sorted(p.name for p in data.iterdir()) == [
        "resultat_2022_fraga.csv", "resultat_2022_indikator.csv", "resultat_2023_fraga.csv", "resultat_2023_indikator.csv",
        "utforska.json",  # the explorer's labels: names and texts, no numbers from the data
    ]
    labels = json.loads((data / "utforska.json").read_text(encoding="ascii"))
    assert sorted(labels) == ["breakConsequence", "breakMarks", "breaks", "forbund", "indicators", "level",
                              "national", "questionGroup", "reasons", "reasonsLong", "views"]
    text = (root / "reports" / "_nedladdningar.md").read_text(encoding="utf-8")
    for name in AGGREGATES:
        assert f"(reports/data/{name})" not in text
    assert "publiceras inte" in text and f"färre än {DEFAULT_SETTINGS.min_n} svar" in text
    assert f"`{PUBLISH_KEY} = true`" in text
    assert "(reports/data/resultat_2023_fraga.csv)" in text
    # The results offered instead carry no number for a withheld cell.
    import pandas as pd

    q = pd.read_csv(data / "resultat_2023_fraga.csv")
    withheld = q.loc[q["withheld"]]
    assert len(withheld) and withheld[["n", "key_share", "count_clearly_positive"]].isna().all().all()


def test_aggregates_left_by_a_publishing_build_are_removed(built, ds, synthetic):
    root, _, _ = built
    data = root / "reports" / "data"
    write_pages(synthetic, DEFAULT_SETTINGS, root)
    assert all((data / name).is_file() for name in AGGREGATES)
    write_pages(ds, DEFAULT_SETTINGS, root)
    assert not any((data / name).exists() for name in AGGREGATES)


@pytest.mark.parametrize("meta", [{"synthetic": True}, {PUBLISH_KEY: True}, {PUBLISH_KEY: "sant"}])
def test_aggregates_published_when_synthetic_or_allowed(tmp_path, ds, meta):
    dataset = _with_meta(ds, **meta)
    assert publishes_aggregates(dataset)
    _simulate_build(tmp_path, dataset, indicators=())
    written = write_pages(dataset, DEFAULT_SETTINGS, tmp_path)
    data = tmp_path / "reports" / "data"
    import pandas as pd

    back = pd.read_csv(data / "responses.csv", dtype={"count": int})
    assert back["count"].sum() == ds.responses["count"].sum()
    assert list(back.columns) == list(ds.responses.columns)
    text = (tmp_path / "reports" / "_nedladdningar.md").read_text(encoding="utf-8")
    for name in AGGREGATES:
        assert f"(reports/data/{name})" in text and data / name in written
    assert "publiceras inte" not in text
    assert ("påhittat" in text) == bool(meta.get("synthetic"))


@pytest.mark.parametrize("value", [False, None])
def test_publish_key_false_keeps_aggregates_private(ds, value):
    # finsam.io parses the key to a bool ("false", "nej" → False; see test_io).
    assert not publishes_aggregates(_with_meta(ds, **{PUBLISH_KEY: value}))


def test_data_page_text_holds_with_and_without_the_aggregates():
    """data.qmd itself never promises the aggregates: the generated include says whether they are there."""
    text = (REPO / "data.qmd").read_text(encoding="utf-8")
    downloads = text.split("## Nedladdningar", 1)[1].split("\n## ", 1)[0]
    assert "{{< include reports/_nedladdningar.md >}}" in downloads
    for name in AGGREGATES:
        assert name not in downloads
    assert "reports/data/" not in text
    assert f"`{PUBLISH_KEY}`" in text and f"`{PUBLISH_KEY} = true`" in text


def test_write_pages_is_deterministic_and_does_not_touch_unchanged_files(built, ds, tmp_path_factory):
    root, _, written = built
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in written}
    again = write_pages(ds, DEFAULT_SETTINGS, root)
    assert again == written
    for p in again:
        assert (p.read_bytes(), p.stat().st_mtime_ns) == before[p], p
    other = tmp_path_factory.mktemp("other")
    _simulate_build(other, ds)
    for p in write_pages(ds, DEFAULT_SETTINGS, other):
        assert p.read_bytes() == (root / p.relative_to(other)).read_bytes(), p
    for p in written:
        if p.suffix in (".qmd", ".md", ".yml"):
            assert not DATE_RE.search(p.read_text(encoding="utf-8")), p


def test_stale_generated_pages_are_removed_but_not_hand_written_ones(built, ds):
    root, _, _ = built
    reports = root / "reports"
    own = reports / "egen.qmd"
    own.write_text("---\ntitle: Egen sida\n---\n", encoding="utf-8")
    for p in reports.glob("*/beta.ipynb"):
        p.unlink()
    write_pages(ds, DEFAULT_SETTINGS, root)
    assert not (reports / "forbund-beta.qmd").exists()
    assert own.exists()
    assert {p.stem for p in _listing_matches(reports / "forbund.qmd", _listings(reports / "forbund.qmd")[0]["contents"])} == {"forbund-alfa"}


def test_no_listing_when_nothing_is_built(tmp_path, ds):
    write_pages(ds, DEFAULT_SETTINGS, tmp_path)
    for page in ("index.qmd", "forbund.qmd", "indikatorer/index.qmd"):
        text = (tmp_path / "reports" / page).read_text(encoding="utf-8")
        assert text.split("\n")[1] == GENERATED_MARK
        assert "listing" not in read_front_matter(tmp_path / "reports" / page)
        assert "finsam build" in text


def test_method_numbers_come_from_settings(tmp_path, ds):
    settings = Settings.from_toml(min_n=7, caution_n=40, gender_min_n=12, margin_pp=3.0, confidence=0.9,
                                  ci_method="jeffreys")
    write_pages(ds, settings, tmp_path)
    rules = (tmp_path / "reports" / "_metod-regler.md").read_text(encoding="utf-8")
    guide = (tmp_path / "reports" / "_lasanvisning.md").read_text(encoding="utf-8")
    nb = "\u00a0"
    for needle in ("| 7 svar |", "| 40 svar |", "minst 12 kvinnor och 12 män", "±3 procentenheter",
                   f"| 90{nb}% |", "| Jeffreys |", "n < 7", "1–6 personer", f"95{nb}% och 99,8{nb}%"):
        assert needle in rules, needle
    for needle in ("färre än 7 svar", "färre än\n  40 svar", "minst 12 svar", "±3-procentenhetersregeln", f"90{nb}% KI"):
        assert needle in guide, needle
    default = DEFAULT_SETTINGS
    write_pages(ds, default, tmp_path)
    rules = (tmp_path / "reports" / "_metod-regler.md").read_text(encoding="utf-8")
    assert f"| {default.min_n} svar |" in rules and f"| {default.caution_n} svar |" in rules
    assert f"±{default.margin_pp:g} procentenheter" in rules


def test_root_pages_do_not_hard_code_thresholds():
    s = DEFAULT_SETTINGS
    for page in ("index.qmd", "metod.qmd", "data.qmd"):
        text = (REPO / page).read_text(encoding="utf-8")
        for pattern in (rf"\b{s.min_n} svar", rf"\b{s.caution_n} svar", rf"minst {s.gender_min_n}\b",
                        rf"±\s?{s.margin_pp:g}\b", r"n\s*<\s*\d"):
            assert not re.search(pattern, text), (page, pattern)


def test_synthetic_notice_on_start_page(tmp_path, ds, synthetic):
    write_pages(synthetic, DEFAULT_SETTINGS, tmp_path)
    for name in ("_syntetiskt.md", "_senaste.md"):
        assert texts.SYNTHETIC_NOTICE_TITLE in (tmp_path / "reports" / name).read_text(encoding="utf-8"), name
    write_pages(ds, DEFAULT_SETTINGS, tmp_path)
    assert texts.SYNTHETIC_NOTICE_TITLE not in (tmp_path / "reports" / "_syntetiskt.md").read_text(encoding="utf-8")


def test_indicator_list_has_all_sixteen(tmp_path, ds):
    write_pages(ds, DEFAULT_SETTINGS, tmp_path)
    text = (tmp_path / "reports" / "_indikatorlista.md").read_text(encoding="utf-8")
    numbers = [int(m) for m in re.findall(r"^(\d+)\. ", text, re.M)]
    assert sorted(numbers) == list(range(1, 17))
    assert "11. Effekter för deltagare" in text and "mäts inte med enkät" in text


# ---------------------------------------------------------------------------
# Quarto itself


def _hidden(cell) -> bool:
    tags = cell.metadata.get("tags", [])
    return cell.source.startswith(("#| echo: false\n", "#| include: false\n")) or "remove-cell" in tags


def test_real_build_notebooks_are_ready_for_quarto(real):
    """Every executed report: front matter first, parameters removed, no visible code, no stderr, no errors."""
    assert real.result.exit_code == 0, real.result.summary
    assert real.indicator_ok, real.indicator_error
    found = sorted(p.relative_to(real.reports).as_posix() for p in real.reports.rglob("*.ipynb"))
    assert found == sorted(REPORT_KEYS)
    for key in REPORT_KEYS:
        nb = nbformat.read(real.reports / key, as_version=4)
        first = nb.cells[0]
        assert first.cell_type == "raw" and first.source.startswith("---\n") and first.source.endswith("\n---"), key
        fm = read_front_matter(real.reports / key)
        assert fm["title"] and fm["categories"], key
        if key.startswith("indikatorer/"):
            assert fm["indicator"] == 1 and fm["categories"] == ["Indikatorer", "Indikator 1"]
        else:
            year, stem = key.removesuffix(".ipynb").split("/")
            assert fm["year"] == int(year) and fm["forbund"] == stem, key
            assert fm["categories"][0] == year, key
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and "remove-cell" in injected[0].metadata["tags"], key
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code, key
        for cell in code:
            assert _hidden(cell), (key, cell.source[:60])
            for out in cell.outputs:
                assert out.output_type != "error", (key, out.get("ename"), out.get("evalue"))
                assert not (out.output_type == "stream" and out.name == "stderr"), (key, out.get("text", "")[:300])
        # Something is shown: the hidden code produced Markdown/HTML/figures.
        assert sum(len(c.outputs) for c in code) > 3, key


def test_real_build_listings_select_its_reports(real):
    reports = real.reports
    got = {}
    for page in sorted(reports.rglob("*.qmd")):
        for listing in _listings(page):
            matched = _listing_matches(page, listing["contents"])
            got[(page.relative_to(reports).as_posix(), listing["id"])] = {
                p.relative_to(reports).as_posix() for p in matched
            }
    assert got[("2023/index.qmd", "forbund")] == {"2023/alfa.ipynb", "2023/beta.ipynb"}
    assert got[("2022/index.qmd", "riket")] == {"2022/riket.ipynb"}
    assert got[("forbund-beta.qmd", "rapporter")] == {"2022/beta.ipynb", "2023/beta.ipynb"}
    assert got[("indikatorer/index.qmd", "indikatorer")] == {"indikatorer/1.ipynb"}


def test_latest_national_figures_and_results_downloads(built):
    root, _, written = built
    nb = "\u00a0"
    text = (root / "reports" / "_senaste.md").read_text(encoding="utf-8")
    assert "Riket, mätåret 2023" in text
    # Fixture, riket 2023, indicator 1: 42 clearly positive of 60 (Wilson 95 %: 0.5749–0.8010).
    assert f"| 1. Personcentrerade insatser | 70{nb}% | 57–80 | 60 |" in text
    assert "2. Inflytande" not in text  # no answers to indicator 2 in the fixture
    import pandas as pd

    ind = pd.read_csv(root / "reports" / "data" / "resultat_2023_indikator.csv")
    assert set(ind["forbund"]) == {"alfa", "beta", "riket"}
    assert set(ind["group"]) == {"alla"}
    q = pd.read_csv(root / "reports" / "data" / "resultat_2022_fraga.csv")
    assert {"key_share", "ci_low", "ci_high", "withheld", "reason"} <= set(q.columns)
    downloads = (root / "reports" / "_nedladdningar.md").read_text(encoding="utf-8")
    for name in ("resultat_2022_fraga.csv", "resultat_2023_indikator.csv"):
        assert f"(reports/data/{name})" in downloads
        assert root / "reports" / "data" / name in written


# ---------------------------------------------------------------------------
# the explorer page (reports/utforska.qmd)

_ATTACHMENT = re.compile(r"""FileAttachment\(\s*["']([^"']+)["']\s*\)""")
#: Columns that a withheld row keeps (identifiers and the reason); every other column is empty.
_KEPT = {"year", "forbund", "group", "question", "indicator", "gender", "withheld", "reason", "caveat",
         "group_order", "questions", "national_reason"}


def _explorer_files(root: Path) -> list[str]:
    """The results files the explorer attaches (its labels file aside)."""
    text = (root / "reports" / "utforska.qmd").read_text(encoding="utf-8")
    attached = _ATTACHMENT.findall(text)
    assert attached[-1] == "data/utforska.json"
    return attached[:-1]


@pytest.mark.parametrize("publishing", [False, True])
def test_explorer_reads_exactly_the_published_indicator_results(built, ds, synthetic, publishing):
    root, _, _ = built
    if publishing:  # the raw aggregates are on the Data page too: the explorer still never reads them
        write_pages(synthetic, DEFAULT_SETTINGS, root)
        assert (root / "reports" / "data" / "responses.csv").is_file()
    files = _explorer_files(root)
    assert files == ["data/resultat_2022_indikator.csv", "data/resultat_2023_indikator.csv"]
    for rel in files:
        assert re.fullmatch(r"data/resultat_\d{4}_indikator\.csv", rel), rel
        assert (root / "reports" / rel).is_file(), rel
    text = (root / "reports" / "utforska.qmd").read_text(encoding="utf-8")
    assert text.split("\n")[1] == GENERATED_MARK
    for name in AGGREGATES:
        assert name not in text
    # Offline: nothing that Quarto's OJS runtime fetches from a CDN (Inputs, Plot, d3, htl, md).
    for library in ("Inputs.", "Plot.", "d3.", "htl.", "md`", "require("):
        assert library not in text, library
    assert (texts.SYNTHETIC_NOTICE_TITLE in text) is publishing


def test_explorer_data_holds_no_withheld_value(built):
    import pandas as pd

    root, _, _ = built
    checked = 0
    for rel in _explorer_files(root):
        df = pd.read_csv(root / "reports" / rel, dtype=str, keep_default_na=False)
        withheld = df.loc[df["withheld"] == "true"]
        assert len(withheld), rel  # the fixture has withheld cells (gender views of alfa, no answers)
        for column in sorted(set(df.columns) - _KEPT):
            values = set(withheld[column])
            assert values <= {""}, (rel, column, values)
        assert set(withheld["reason"]) and "" not in set(withheld["reason"])
        checked += len(withheld)
    assert checked


def test_explorer_labels_come_from_the_data_and_settings(tmp_path, ds):
    _simulate_build(tmp_path, ds)
    settings = Settings.from_toml(min_n=7, confidence=0.9)
    write_pages(ds, settings, tmp_path)
    text = (tmp_path / "reports" / "utforska.qmd").read_text(encoding="utf-8")
    assert "90\u00a0%-konfidensintervall" in text
    assert 'FileAttachment("data/utforska.json")' in text
    labels = json.loads((tmp_path / "reports" / "data" / "utforska.json").read_text(encoding="ascii"))
    reasons = json.dumps(labels["reasons"], ensure_ascii=False)
    assert "n < 7" in reasons and "n < 5" not in reasons
    for forbund in ("alfa", "beta"):
        assert labels["forbund"][forbund] == ds.forbund_name(forbund)
        assert ds.forbund_name(forbund) not in text  # names reach the page only through the labels file


def test_explorer_without_results_says_so(tmp_path, ds):
    from finsam.explorer import explorer_page

    fm, body = explorer_page(DEFAULT_SETTINGS, [])
    assert fm["title"] == "Utforska resultaten"
    assert "FileAttachment" not in body and "finsam build" in body


def test_explorer_labels_carry_the_catalogue_series_breaks(tmp_path, ds):
    """The explorer marks the same catalogue breaks as the reports, with the reports' texts."""
    from finsam.explorer import labels_json

    labels = json.loads(labels_json(ds, DEFAULT_SETTINGS, ["alfa"]))
    years = sorted({int(y) for y in ds.responses["year"]})
    expected = {"1": [2018], "2": [2022], "3": [2022], "4": [2022], "9": [2018, 2022], "10": [2018]}
    assert labels["breaks"] == {k: [y for y in v if y in years[1:]] for k, v in expected.items()
                                if any(y in years[1:] for y in v)}
    assert labels["breakMarks"]["questions"] == {"mark": "|", "text": texts.BREAK_MARKS["questions"][1]}
    assert labels["breakConsequence"] == texts.BREAK_CONSEQUENCE
    # Group changes are found from the pooled questions' respondent groups.
    assert labels["questionGroup"]["pag_nytta"] == "deltagare_pagaende"
    assert labels["questionGroup"]["per_strukturer"] == "personal"


# ---------------------------------------------------------------------------
# one results path: the downloads come from the reports' results cache


def test_downloads_use_the_cached_results_and_compute_only_a_changed_dataset(tmp_path, ds, monkeypatch):
    import pandas as pd

    from finsam import cache
    from finsam.results import compute_all as real_compute_all, results_csv_text
    from finsam.site import downloads

    monkeypatch.setenv("FINSAM_CACHE_DIR", "")  # memory only: the test leaves no cache files behind
    cache.clear_memory()
    calls = []

    def counting(dataset, settings, **kwargs):
        calls.append(dataset)
        return real_compute_all(dataset, settings, **kwargs)

    monkeypatch.setattr(downloads, "compute_all", counting)
    monkeypatch.setattr(cache, "compute_all", counting)
    _dataset, cached = cache.load_results(FIXTURE, DEFAULT_SETTINGS)
    assert len(calls) == 1  # the reports' computation
    write_pages(ds, DEFAULT_SETTINGS, tmp_path / "a")
    assert len(calls) == 1  # the site reads the same Results
    expected = results_csv_text(cached.indicators(2023, None, group="alla"))
    written = (tmp_path / "a" / "reports" / "data" / "resultat_2023_indikator.csv").read_text(encoding="utf-8")
    assert written.startswith(expected.rstrip("\n").split("\n")[0])  # the same columns
    assert set(expected.splitlines()[1:]) <= set(written.splitlines()[1:])  # every förbund row of the cache

    # A dataset that is not its source's content (one förbund's 2023 answers dropped) is computed for itself.
    changed = Dataset(ds.forbund, ds.responses.loc[~((ds.responses["forbund"] == "beta") & (ds.responses["year"] == 2023))],
                      ds.participation, meta=ds.meta, source=ds.source)
    write_pages(changed, DEFAULT_SETTINGS, tmp_path / "b")
    assert len(calls) == 2 and calls[-1] is changed
    ind = pd.read_csv(tmp_path / "b" / "reports" / "data" / "resultat_2023_indikator.csv")
    assert set(ind["forbund"]) == {"alfa", "riket"}
    cache.clear_memory()


def test_year_page_names_reports_whose_last_run_failed(tmp_path, ds):
    """A report whose last run failed is named on its year page (its page is from an earlier run, or missing)."""
    from finsam._manifest import Manifest

    _simulate_build(tmp_path, ds)
    (tmp_path / "reports" / "2023" / "beta.ipynb").unlink()  # beta never succeeded
    manifest = Manifest(tmp_path / "reports")
    manifest.failed_run("2023/alfa.ipynb", "ValueError", "kolumnen saknas <b>")
    manifest.failed_run("2023/beta.ipynb", "KeyError", "'x'")
    manifest.save()
    write_pages(ds, DEFAULT_SETTINGS, tmp_path)
    page = (tmp_path / "reports" / "2023" / "index.qmd").read_text(encoding="utf-8")
    assert texts.OUTDATED_TITLE in page and texts.OUTDATED_TEXT in page
    alfa = next(line for line in page.splitlines() if line.startswith(f"- {ds.forbund_name('alfa')}"))
    assert "tidigare körning" in alfa and "kolumnen saknas \\<b\\>" in alfa  # the reason is text, not markup
    beta = next(line for line in page.splitlines() if line.startswith(f"- {ds.forbund_name('beta')}"))
    assert "rapporten saknas" in beta
    # Other years, and the year after a successful re-run, carry no warning.
    assert texts.OUTDATED_TITLE not in (tmp_path / "reports" / "2022" / "index.qmd").read_text(encoding="utf-8")
    manifest = Manifest(tmp_path / "reports")
    manifest.succeeded("2023/alfa.ipynb", "digest")
    manifest.failed.pop("2023/beta.ipynb")
    manifest.save()
    write_pages(ds, DEFAULT_SETTINGS, tmp_path)
    assert texts.OUTDATED_TITLE not in (tmp_path / "reports" / "2023" / "index.qmd").read_text(encoding="utf-8")
