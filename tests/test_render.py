"""The rendered site: real Quarto on the shared real build (tests/_realbuild.py).

One render of the whole project (2 förbund × 2 years, riket per year, one
indicator page, the listing pages) by :func:`finsam.render.render` with two
processes, as ``finsam build`` does; the read-only tests read its output, the
incremental ones work on copies of it. Marked ``quarto``: skipped where the
command is missing, except in CI (``FINSAM_REQUIRE_QUARTO=1``), where a missing
Quarto fails.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from _realbuild import REPORT_KEYS, real_build
from conftest import quarto_command

from finsam import render as R
from finsam.site import read_front_matter

pytestmark = pytest.mark.quarto

#: Listing pages and the pages each must link to (relative to _site): together every report.
LISTINGS = {
    "reports/index.html": ("reports/2022/index.html", "reports/2023/index.html"),
    "reports/2023/index.html": ("reports/2023/alfa.html", "reports/2023/beta.html", "reports/2023/riket.html"),
    "reports/2022/index.html": ("reports/2022/alfa.html", "reports/2022/beta.html", "reports/2022/riket.html"),
    "reports/forbund.html": ("reports/forbund-alfa.html", "reports/forbund-beta.html"),
    "reports/forbund-alfa.html": ("reports/2022/alfa.html", "reports/2023/alfa.html"),
    "reports/forbund-beta.html": ("reports/2022/beta.html", "reports/2023/beta.html"),
    "reports/indikatorer/index.html": ("reports/indikatorer/1.html",),
}
#: The explorer page and the results files it reads (relative to _site).
EXPLORER = "reports/utforska.html"
EXPLORER_DATA = ("reports/data/resultat_2022_indikator.csv", "reports/data/resultat_2023_indikator.csv")
#: Markdown or attribute syntax that must never reach a reader as text.
LEAKS = (":::", "{fig-alt=", "{.callout", "{#", "```", "<div", "&lt;")
_TAG = re.compile(r"<[^>]+>")
_HREF = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """A copy of the real build rendered by finsam (2 processes); the project root."""
    quarto = quarto_command()
    build = real_build(tmp_path_factory)
    assert build.result.exit_code == 0 and build.indicator_ok, build.result.summary
    root = tmp_path_factory.mktemp("rendered") / "site"
    shutil.copytree(build.root, root)  # the shared build stays untouched
    result = R.render(root, quarto=quarto, jobs=2)
    assert result.failed == {}
    assert result.reports == sorted(f"reports/{key}" for key in REPORT_KEYS)
    assert "reports/2023/index.qmd" in result.pages and "index.qmd" in result.pages
    assert not (root / R.WORK_DIR).exists()  # the working copies are gone
    return root


@pytest.fixture(scope="module")
def site(rendered) -> Path:
    return rendered / "_site"


@pytest.fixture()
def project(rendered, tmp_path) -> Path:
    """A private copy of the rendered project, to change and render again."""
    root = tmp_path / "project"
    shutil.copytree(rendered, root)
    return root


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _html(key: str) -> str:
    return str(Path("reports") / Path(key).with_suffix(".html"))


def _main_text(page: str) -> str:
    """The visible text of a page's main content (scripts and styles removed)."""
    body = page.split('<main', 1)[-1].split("</main>", 1)[0]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    # Quarto keeps the source of echo: false OJS cells in hidden blocks (for its error messages).
    body = re.sub(r'<div class="sourceCode cell-code hidden"[^>]*>.*?</pre>\s*</div>', " ", body, flags=re.S)
    return html.unescape(_TAG.sub(" ", body))


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    text = " ".join(page.extract_text() or "" for page in PdfReader(path).pages)
    # Typst hyphenates long words in table cells ("insat­\nser"): join them again.
    text = re.sub(r"\u00ad\s*", "", text)
    return re.sub(r"\s+", " ", text)


def _headings(page: str) -> list[str]:
    """The report's own section headings (h2 in the main content)."""
    main = page.split('<main', 1)[-1].split("</main>", 1)[0]
    return [html.unescape(_TAG.sub("", h)).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", main, re.S)]


def test_every_report_has_its_html_page_and_pdf(site):
    for key in REPORT_KEYS:
        page = site / _html(key)
        assert page.is_file(), key
        pdf = page.with_suffix(".pdf")
        assert pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-", key
    assert not (site / "reports" / "forbund.pdf").exists()  # listing pages are HTML only
    for page in ("index.html", "metod.html", "data.html"):
        assert (site / page).is_file(), page
    assert not (site / "reports" / "data" / "responses.csv").exists()  # real data: aggregates not published


def test_pdf_holds_title_and_every_section_heading(site, tmp_path_factory):
    build = real_build(tmp_path_factory)
    for key in REPORT_KEYS:
        title = read_front_matter(build.reports / key)["title"]
        page = (site / _html(key)).read_text(encoding="utf-8")
        headings = _headings(page)
        assert len(headings) >= 3, (key, headings)
        text = _pdf_text((site / _html(key)).with_suffix(".pdf"))
        assert re.sub(r"\s+", " ", title) in text, key
        for heading in headings:
            assert heading in text, (key, heading)


def test_pdf_tables_are_typst_tables_with_text(site):
    """The overview table reaches the PDF as a table: its header cells and its first indicator row."""
    text = _pdf_text(site / "reports" / "2023" / "alfa.pdf")
    assert "Tabell 1." in text
    assert "Indikator Alla (95" in text and "Mot riket Mot 2022 Kvinnor Män" in text
    assert "1 Personcentrerade insatser" in text


def test_no_markdown_or_attribute_syntax_leaks_into_html(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= len(REPORT_KEYS) + 6
    for page in pages:
        text = _main_text(page.read_text(encoding="utf-8"))
        for leak in LEAKS:
            assert leak not in text, (page.relative_to(site).as_posix(), leak, text[text.find(leak) - 80:][:200])


def test_every_internal_link_resolves(site):
    checked = 0
    for page in sorted(site.rglob("*.html")):
        for target in _HREF.findall(page.read_text(encoding="utf-8")):
            parts = urlsplit(html.unescape(target))
            if parts.scheme or parts.netloc or not parts.path:
                continue  # external, or a fragment of the same page
            path = (page.parent / unquote(parts.path)).resolve()
            if path.is_dir():
                path = path / "index.html"
            assert path.is_file(), (page.relative_to(site).as_posix(), target)
            checked += 1
    assert checked > 100


def test_listings_list_every_report(site):
    listed = set()
    for listing, targets in LISTINGS.items():
        page = (site / listing).read_text(encoding="utf-8")
        hrefs = {(site / listing).parent.joinpath(unquote(h)).resolve() for h in _HREF.findall(page)}
        for target in targets:
            assert (site / target).resolve() in hrefs, (listing, target)
        listed |= set(targets)
    assert {_html(key) for key in REPORT_KEYS} <= listed


def test_search_index_holds_every_report(site):
    entries = json.loads((site / "search.json").read_text(encoding="utf-8"))
    hrefs = {e["href"].split("#")[0] for e in entries}
    for key in REPORT_KEYS:
        assert _html(key) in hrefs, key
    titles = {e["href"].split("#")[0]: e["title"] for e in entries if "#" not in e["href"]}
    assert "Åby" in titles["reports/2023/alfa.html"]


def test_pdf_link_shows_only_the_pdf(site):
    page = (site / "reports" / "2023" / "alfa.html").read_text(encoding="utf-8")
    block = page.split('class="quarto-alternate-formats"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', block, re.S)
    assert [(href, _TAG.sub("", text).strip()) for href, text in links] == [("alfa.pdf", "PDF för utskrift")]


def test_a_second_render_renders_nothing(project):
    result = R.render(project, quarto=quarto_command(), jobs=2)
    assert (result.reports, result.pages, result.failed) == ([], [], {})
    assert result.unchanged == len(REPORT_KEYS) + 11  # + 10 listing and root pages + the explorer


def test_a_changed_report_renders_it_and_the_pages_listing_it_to_the_same_bytes(project):
    site = project / "_site"
    before = _files(site)
    nb = project / "reports" / "2023" / "alfa.ipynb"
    data = json.loads(nb.read_text(encoding="utf-8"))
    data["metadata"]["finsam_test"] = 1  # a new digest, the same rendered page
    nb.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = R.render(project, quarto=quarto_command(), jobs=2)
    assert result.failed == {}
    assert result.reports == ["reports/2023/alfa.ipynb"]
    assert result.pages == ["reports/2023/index.qmd", "reports/forbund-alfa.qmd"]
    after = _files(site)
    assert sorted(after) == sorted(before)
    changed = sorted(k for k in after if after[k] != before[k])
    assert changed == [], changed  # same inputs (for Quarto), same bytes: no timestamps, no random ids


def test_a_failing_report_is_named_and_the_others_are_rendered(project):
    site = project / "_site"
    bad, good = project / "reports" / "2022" / "alfa.ipynb", project / "reports" / "2022" / "beta.ipynb"
    old_html = (site / "reports" / "2022" / "alfa.html").read_bytes()
    data = json.loads(bad.read_text(encoding="utf-8"))
    data["cells"][0]["source"] = "---\ntitle: [oavslutad\n---"  # front matter Quarto cannot read
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    data = json.loads(good.read_text(encoding="utf-8"))
    data["metadata"]["finsam_test"] = 1
    good.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = R.render(project, quarto=quarto_command(), jobs=1)
    assert sorted(result.failed) == ["reports/2022/alfa.ipynb"]
    assert result.failed["reports/2022/alfa.ipynb"]
    assert result.reports == ["reports/2022/beta.ipynb"]
    assert (site / "reports" / "2022" / "alfa.html").read_bytes() == old_html  # the previous output stays
    # Not recorded as rendered: the next render tries it again.
    again = R.render(project, quarto=quarto_command(), jobs=1)
    assert sorted(again.failed) == ["reports/2022/alfa.ipynb"] and again.reports == []


def test_explorer_page_works_offline_from_the_site(site):
    page = (site / EXPLORER).read_text(encoding="utf-8")
    # The OJS runtime is served by the site itself; no script or stylesheet from another host.
    assert 'src="../site_libs/quarto-ojs/quarto-ojs-runtime.js"' in page
    assert (site / "site_libs" / "quarto-ojs" / "quarto-ojs-runtime.js").is_file()
    for target in _HREF.findall(page):
        assert not urlsplit(target).netloc, target
    # The data files it reads are in the site, and they are the only ones.
    attached = sorted(set(re.findall(r'FileAttachment</span>\(<span class="st">&quot;([^&]+)&quot;', page)
                          + re.findall(r'FileAttachment</span>\(<span class="st">"([^"]+)"', page)))
    assert attached == sorted([Path(p).relative_to("reports").as_posix() for p in EXPLORER_DATA] + ["data/utforska.json"])
    assert (site / "reports" / "data" / "utforska.json").is_file()
    for rel in EXPLORER_DATA:
        assert (site / rel).is_file(), rel
    assert "ojs-module-contents" in page
    text = _main_text(page)
    assert "Utforska resultaten" in text and "Över åren mot riket" in text and "Mot de andra förbunden" in text
    # In the navbar of every page, and not in the search index (its sections would hold code).
    assert 'href="./reports/utforska.html"' in (site / "index.html").read_text(encoding="utf-8")
    entries = json.loads((site / "search.json").read_text(encoding="utf-8"))
    assert not [e["href"] for e in entries if e["href"].startswith(EXPLORER)]


def _contrast(fg: tuple[float, float, float], bg: tuple[float, float, float] = (255, 255, 255)) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""

    def lum(c):
        lin = [v / 255 / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    high, low = sorted((lum(fg), lum(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _rgb(value: str) -> tuple[float, float, float]:
    value = value.strip()
    if value.startswith("#"):
        digits = value[1:] if len(value) == 7 else "".join(ch * 2 for ch in value[1:4])
        return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))
    numbers = [float(v) for v in re.findall(r"[\d.]+", value)[:3]]
    if value.startswith("hsl"):
        import colorsys

        return tuple(255 * v for v in colorsys.hls_to_rgb(numbers[0] / 360, numbers[2] / 100, numbers[1] / 100))
    return tuple(numbers)


def test_site_text_colours_meet_wcag_aa(site):
    """Body text, links, navbar, footer and captions of the compiled theme reach 4.5:1 (WCAG AA)."""
    (css_path,) = (site / "site_libs" / "bootstrap").glob("bootstrap-*.min.css")
    css = css_path.read_text(encoding="utf-8")
    root = css[css.index(":root") : css.index("}", css.index(":root"))]
    variables = dict(re.findall(r"(--bs-[a-z-]+):\s*([^;]+)", root))
    pairs = {
        "text": (variables["--bs-body-color"], "#ffffff"),
        "links": (variables["--bs-link-color"], "#ffffff"),
        "navbar": (re.search(r"\.navbar\{background-color:([^;]+);color:([^}]+)\}", css).group(2),
                   re.search(r"\.navbar\{background-color:([^;]+);", css).group(1)),
        "footer": (re.findall(r"\.nav-footer\{[^}]*[{;]color:([^;}]+)", css)[-1], "#ffffff"),
        # Our rule for figure and table captions (Quarto's own grey is 4.4:1).
        "captions": (re.search(r"body :is\([^)]*caption[^)]*\)\{color:([^;}]+)", css).group(1), "#ffffff"),
    }
    ratios = {name: round(_contrast(_rgb(fg), _rgb(bg)), 2) for name, (fg, bg) in pairs.items()}
    assert all(r >= 4.5 for r in ratios.values()), ratios
    assert ratios["captions"] == pytest.approx(6.33, abs=0.01)
    assert ratios["footer"] == pytest.approx(4.59, abs=0.01)  # Quarto's hsl(0, 0%, 46%)
