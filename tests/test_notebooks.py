"""The report templates: stripped and hidden, correct on known data, no withheld value leaks.

Papermill executions are few (CI has 2 cores): a large förbund in a year with a
previous year, a förbund-year with withheld cells and no previous year (run
twice, for determinism) and the national report for 2017. The template
defaults are executed by ``pytest --nbval-lax notebooks/``.
"""

from __future__ import annotations

import ast
import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from finsam import cache, fmt, texts
from finsam.errors import FinsamError
from finsam.reports import checks, forbund, indikator, riket
from finsam._runner import coalesce_streams
from finsam.catalog import load_catalog
from finsam.disclosure import reason_text
from finsam.settings import DEFAULT_SETTINGS
from finsam.stats import NATIONAL, question_stats

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NBVAL_DIR = REPO / "tests" / "nbval"
FIXTURE = REPO / "tests" / "fixtures" / "valid"
TEMPLATES = ["forbund.ipynb", "riket.ipynb", "indikator.ipynb"]
NB = "\u00a0"


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory):
    """A disk cache of our own (kernels inherit the environment)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FINSAM_CACHE_DIR", str(tmp_path_factory.mktemp("finsam-cache")))
        yield


# ---------------------------------------------------------------------------
# Templates as committed
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", TEMPLATES)
def test_template_is_stripped_and_hidden(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    marked = [c for c in code if checks.CHECK_MARKER in c.source]
    assert len(marked) == 1, "exactly one NBVAL_CHECK_OUTPUT cell"
    # The check cell is never rendered by Quarto.
    assert "remove-cell" in marked[0].metadata.get("tags", [])
    assert marked[0].source.startswith("#| include: false\n")
    for cell in code:
        assert cell.outputs == [], f"{name}: a code cell carries outputs"
        assert cell.execution_count is None, f"{name}: a code cell carries an execution count"
        if cell is not marked[0]:
            # Quarto reads "#| echo: false"; the tag "remove-input" is not one Quarto knows.
            assert cell.source.startswith("#| echo: false\n"), cell.source[:40]


@pytest.mark.parametrize("name", TEMPLATES)
def test_nbval_reference_copy_has_the_template_cells(name):
    """tests/nbval/<name> = the template plus the expected check line; nothing else may differ."""
    template = nbformat.read(NOTEBOOKS / name, as_version=4)
    copy = nbformat.read(NBVAL_DIR / name, as_version=4)
    assert [(c.cell_type, c.source, c.metadata) for c in copy.cells] == [
        (c.cell_type, c.source, c.metadata) for c in template.cells
    ], "Run `.venv/bin/python -m finsam.reports.checks` to refresh tests/nbval/."
    outputs = [c for c in copy.cells if c.cell_type == "code" and c.outputs]
    assert len(outputs) == 1 and checks.CHECK_MARKER in outputs[0].source


@pytest.mark.parametrize("name", TEMPLATES)
def test_parameters_cell_holds_literals_only(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    tree = ast.parse(cells[0].source)
    for node in tree.body:
        assert isinstance(node, ast.Assign)
        ast.literal_eval(node.value)  # raises on anything but a literal
    params = checks.template_defaults(nb)
    assert params["data_dir"] == ""
    # Every setting arrives in ONE parameter (empty: the defaults of settings.toml).
    assert params["settings"] == {}
    assert not {"ci_method", "confidence", "margin_pp", "min_n", "caution_n", "gender_min_n"} & set(params)


@pytest.mark.parametrize("name", TEMPLATES)
def test_stored_check_output_matches_current_data(name):
    """nbval compares against this line; refresh it with ``python -m finsam.reports.checks``."""
    nb = nbformat.read(NBVAL_DIR / name, as_version=4)
    stored = next(c for c in nb.cells if checks.CHECK_MARKER in c.source).outputs[0].text
    kind = name.removesuffix(".ipynb")
    assert stored == checks.expected_check_output(kind, checks.template_defaults(nb)), (
        "Run `.venv/bin/python -m finsam.reports.checks` to refresh the templates' check output."
    )


# ---------------------------------------------------------------------------
# finsam.reports on the small hand-made fixture (known values)
# ---------------------------------------------------------------------------
def _html(objs) -> str:
    return "\n".join(o.html for o in objs if hasattr(o, "html"))


def test_known_values_beta_2022():
    rep = forbund.open_report("beta", 2022, FIXTURE)
    assert forbund.notice(rep) == []  # not synthetic
    html = "\n".join(_html(s) for s in forbund.indicator_sections(rep))
    rows = _table_rows(html)
    i = rows.index(next(r for r in rows if r[0].startswith("Deltagare pågående, fråga 1:")))
    # pag_nytta 2022, beta: n = 30; negative 0, neutral 3, positive 27 (21 clearly) → Wilson 21/30 = 52–83 %.
    assert rows[i + 1][:5] == [f"Alla (n{NB}={NB}30)", f"0{NB}%", f"10{NB}%", f"90{NB}% (70{NB}%)", "52\u201383"]
    assert "beta 2022:" in forbund.check_summary(rep)


def test_gender_split_withheld_below_ten_alfa_2022():
    rep = forbund.open_report("alfa", 2022, FIXTURE)
    rows = _table_rows("\n".join(_html(s) for s in forbund.indicator_sections(rep)))
    i = rows.index(next(r for r in rows if r[0].startswith("Deltagare pågående, fråga 1:")))
    assert rows[i + 1][0] == f"Alla (n{NB}={NB}10) \u2020"  # litet underlag
    # 6 women, 3 men: the split is withheld and neither n appears.
    assert rows[i + 2] == ["Kvinnor, män", reason_text("gender_min_n", DEFAULT_SETTINGS)]
    assert not any("n\u00a0=\u00a06" in c or "n\u00a0=\u00a03" in c for c in rows[i + 2])


def test_unknown_forbund_and_year_stop_with_swedish_listing():
    with pytest.raises(FinsamError, match=r"Okänt förbund 'gamma'.*Förbund som finns: alfa, beta\."):
        forbund.open_report("gamma", 2023, FIXTURE)
    with pytest.raises(FinsamError, match=r"har inga data för 2019\. År med data för förbundet: 2022, 2023\."):
        forbund.open_report("alfa", 2019, FIXTURE)
    with pytest.raises(FinsamError, match=r"Inga data för 2010.*År med data: 2022, 2023\."):
        riket.open_report(2010, FIXTURE)
    with pytest.raises(FinsamError, match=r"Okänd indikator 17"):
        indikator.open_report(17, FIXTURE)
    with pytest.raises(FinsamError, match="Datakatalogen finns inte"):
        forbund.open_report("alfa", 2022, FIXTURE / "saknas")
    with pytest.raises(FinsamError, match="min_n"):
        forbund.open_report("alfa", 2022, FIXTURE, {"min_n": 40})


def test_synthetic_notice_on_demo_data():
    rep = riket.open_report(2017)
    (notice,) = riket.notice(rep)
    assert notice.data.startswith("::: {.callout-warning}")
    assert texts.SYNTHETIC_NOTICE_TITLE in notice.data


def test_results_cache_hits_memory_then_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("FINSAM_CACHE_DIR", str(tmp_path))
    cache.clear_memory()
    ds, res = cache.load_results(FIXTURE)
    files = list(tmp_path.glob("results-*.json"))
    assert len(files) == 1
    assert cache.load_results(FIXTURE)[1] is res  # memory
    cache.clear_memory()
    ds2, res2 = cache.load_results(FIXTURE)  # disk
    assert res2 is not res and res2.question.equals(res.question)
    # Other settings: another entry.
    cache.load_results(FIXTURE, {"ci_method": "jeffreys"})
    assert len(list(tmp_path.glob("results-*.json"))) == 2


# ---------------------------------------------------------------------------
# Reader text: settings-driven labels, previous year, reasons, number style
# ---------------------------------------------------------------------------
def _texts(objs) -> str:
    """All reader-visible text of displayables: Markdown, HTML tables, captions and alt texts."""
    out = []
    for o in objs:
        for attr in ("data", "html", "caption", "alt"):
            v = getattr(o, attr, None)
            if isinstance(v, str) and not v.startswith("\x89PNG"):
                out.append(v)
    return "\n".join(out)


def _report_text(rep) -> str:
    parts = [forbund.summary(rep), forbund.indicator_intro(rep), *forbund.indicator_sections(rep), forbund.trend(rep), forbund.about(rep)]
    return _texts([o for part in parts for o in part])


def test_confidence_setting_names_every_interval_with_nbsp():
    rep = forbund.open_report("alfa", 2023, FIXTURE, {"confidence": 0.9})
    text = _report_text(rep)
    assert f"90{NB}% KI (klart pos.)" in text and f"90{NB}% konfidensintervall" in text
    assert f"95{NB}% KI" not in text and f"95{NB}% konfidens" not in text and "95 %" not in text
    # No percentage anywhere with an ordinary space before the sign.
    assert re.findall(r"\d %", text) == []
    default = _report_text(forbund.open_report("alfa", 2023, FIXTURE))
    assert f"95{NB}% KI (klart pos.)" in default and re.findall(r"\d %", default) == []


def test_year_without_previous_data_drops_the_comparison_and_says_so_once():
    rep = forbund.open_report("alfa", 2022, FIXTURE)  # the fixture starts in 2022
    # Everything but "Om siffrorna", whose method text describes the arrows in general.
    text = _texts([o for part in [forbund.summary(rep), forbund.indicator_intro(rep), *forbund.indicator_sections(rep), forbund.trend(rep)]
                   for o in part])
    assert text.count("Jämförelse med föregående år saknas (uppgifterna börjar 2022).") == 1
    assert "2021" not in text.replace("mätperioden 1 november 2021", "")
    assert "Förändring mot" not in text and "Mot 2021" not in text and "↑" not in text
    # The fixture holds two förbund (< min_forbund_national) and no national reference: no national comparison.
    assert "Ingen jämförelse med riket: data för 2022 innehåller bara 2 förbund" in text
    # With a previous year the column, the arrow legend and the year are there.
    nxt = _report_text(forbund.open_report("alfa", 2023, FIXTURE))
    assert "Förändring mot 2022" in nxt and "Mot 2022: ↑ ökat" in nxt
    assert "Jämförelse med föregående år saknas" not in nxt


def test_first_national_measurement_and_forbund_absent_the_year_before():
    assert forbund.no_previous_text(forbund.open_report("sodertalje", 2017)) == (
        "Jämförelse med föregående år saknas (2017 var den första nationella mätningen).")
    ds, res = cache.load_results("")
    q = res.question.loc[res.question["forbund"] != NATIONAL]
    years = q.groupby("forbund")["year"].apply(set)
    fid, first = next((f, min(ys)) for f, ys in years.items() if min(ys) > 2017)
    rep = forbund.open_report(fid, first)
    assert forbund.no_previous_text(rep) == f"Jämförelse med föregående år saknas (förbundet deltog inte {first - 1})."
    assert "Förändring mot" not in _texts(o for s in forbund.indicator_sections(rep) for o in s)


def test_overview_explains_a_missing_arrow_and_names_disclosure():
    rep = forbund.open_report("sundsvall", 2023)
    notes = forbund.glance.Footnotes()
    rows = _table_rows(forbund.overview_table(rep, notes).html)
    by_nr = {r[0]: r for r in rows[1:]}
    assert rows[0] == ["Nr", "Indikator", f"Alla (95{NB}% KI)", "Mot riket", "Mot 2022", "Kvinnor", "Män"]
    # Indicator 1: new groups in 2023 (avslut, styrelse), so the pooled cells differ from 2022: a footnote mark.
    mark = by_nr["1"][4][1:]
    assert by_nr["1"][4][0] == "\u2013" and notes.texts[int(mark.translate(str.maketrans("¹²³⁴⁵⁶⁷⁸⁹", "123456789"))) - 1] == (
        "Ingen jämförelse med 2022: indikatorn bygger på andra respondentgrupper än 2022.")
    assert forbund.trend_note(rep, 1, "alla") == "ingen jämförelse med 2022 (andra grupper)"
    assert forbund.trend_note(rep, 1, "kvinna") == ""  # has its arrow
    cells = [c for r in rows for c in r]
    assert "inga redovisade svar" not in " ".join(cells)
    assert rep.reason("no_published") == "dold (skydd av små grupper)"
    assert rep.reason("no_answers") == "inga svar"
    # Indicator 6, women: only avslut Q8 is pooled (catalogue `key`, issue 15); hidden by the residual rule.
    assert rep.ind_rows[(6, "kvinna")]["reason"] == "residual"
    assert forbund.indicator_reason(rep, 6, "kvinna") == "dold (kön kan räknas fram)"
    assert "Resultatet visas inte: dold (kön kan räknas fram)." in notes.texts
    assert by_nr["6"][5].startswith("\u2013")
    # Indicator 10, women: several questions hidden for small-n reasons only.
    assert rep.ind_rows[(10, "kvinna")]["reason"] == "no_published"
    assert forbund.indicator_reason(rep, 10, "kvinna") == "för få per kön"
    # Only small-n reasons behind a mixed withheld cell: say so plainly.
    early = forbund.open_report("sodertalje", 2017)
    assert early.ind_rows[(1, "kvinna")]["reason"] == "no_published"
    assert forbund.indicator_reason(early, 1, "kvinna") == "för få per kön"


_WORDS = re.compile(r"\b(två|tre|fyra|fem|sju|åtta|nio|tio|elva|tolv)\b")


def test_counts_in_generated_sentences_are_digits():
    for fid, year in (("sundsvall", 2023), ("sodertalje", 2017)):
        rep = forbund.open_report(fid, year)
        text = forbund._sentences(rep) + " " + forbund._volume_text(rep)
        assert _WORDS.search(text) is None, text
        assert re.search(r"^I \d+ av \d+ indikator", text)
    assert re.search(r"deltog \d+ samordningsförbund", riket.summary(riket.open_report(2017))[0].data)


def test_trend_caption_mentions_question_changes_only_when_drawn():
    no_break = forbund.trend(forbund.open_report("alfa", 2023, FIXTURE))
    figs = [o for o in no_break if hasattr(o, "png")]
    assert figs and "Streckad" not in figs[0].caption and "”|”" not in _texts(no_break) and "”¦”" not in _texts(no_break)
    with_break = [o for o in forbund.trend(forbund.open_report("sundsvall", 2023)) if hasattr(o, "png")]
    assert with_break[0].caption.endswith("Streckad röd linje: brott i serien (se tabellen).")


def test_synthetic_notice_constants():
    assert texts.SYNTHETIC_NOTICE_TITLE == "Syntetiska demodata – siffrorna är påhittade"
    (notice,) = riket.notice(riket.open_report(2017))
    assert texts.SYNTHETIC_NOTICE_TITLE in notice.data and texts.SYNTHETIC_NOTICE_TEXT in notice.data


# ---------------------------------------------------------------------------
# The withheld-value scanner (and proof that it can fail)
# ---------------------------------------------------------------------------
class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _table_rows(html: str) -> list[list[str]]:
    p = _TableParser()
    p.feed(html)
    return p.rows


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.outputs


def _all_html(nb) -> str:
    return "\n".join(o.data["text/html"] for o in _outputs(nb) if "text/html" in o.get("data", {}))


def _alt_texts(nb) -> list[str]:
    out = []
    for o in _outputs(nb):
        md = o.get("data", {}).get("text/markdown", "")
        m = re.search(r'\{fig-alt="(.*)"\}\s*$', md, re.S)
        if m:
            out.append(m.group(1))
    return out


def _forbund_leaks(nb, forbund: str, year: int, data_dir="") -> list[str]:
    """Withheld cells of ``forbund``/``year`` that show any number in the executed notebook.

    For every withheld question cell the unsuppressed statistics give the
    values that *would* be shown. The table row of that cell (found by its
    question heading and view label) must hold only the reason text, its label
    must carry no n, and no figure alt text may describe it with numbers; in
    addition none of the cell's formatted raw values may appear in its row.
    """
    ds, res = cache.load_results(data_dir)
    cat = load_catalog()
    raw = question_stats(ds.responses, cat, res.settings, ds.participation)
    raw = raw.loc[(raw["forbund"] == forbund) & (raw["year"] == year)].set_index(["question", "gender"])
    pub = res.questions(year, forbund)
    withheld = pub.loc[pub["withheld"].astype(bool)]
    rows = _table_rows(_all_html(nb))
    alts = " ;".join(_alt_texts(nb))
    names = dict(zip(cat.groups["group"], cat.groups["name"]))
    shorts = dict(zip(cat.groups["group"], cat.groups["short_name"]))
    participant = dict(zip(cat.groups["group"], cat.groups["participant"]))
    label_of = {"alla": "Alla", "kvinna": "Kvinnor", "man": "Män"}
    word_of = {"alla": "", "kvinna": " kvinnor", "man": " män"}
    problems = []
    for _i, w in withheld.iterrows():
        r = raw.loc[(w["question"], w["gender"])]
        heading = f"{names[w['group']]}, fråga {int(w['number'])}:"
        starts = [k for k, row in enumerate(rows) if len(row) == 1 and row[0].startswith(heading)]
        block = []
        for k in starts:
            for row in rows[k + 1:]:
                if len(row) == 1:
                    break
                block.append(row)
        label = label_of[w["gender"]]
        mine = [row for row in block if row[0].split(" (")[0] == label
                or (w["gender"] != "alla" and row[0] == "Kvinnor, män")]
        if w["gender"] == "alla" or participant[w["group"]]:
            alla_pub = not bool(pub.loc[(pub["question"] == w["question"]) & (pub["gender"] == "alla"),
                                        "withheld"].iloc[0])
            if (w["gender"] == "alla" or alla_pub) and not mine:
                problems.append(f"{heading} {label}: no row with the reason text")
        for row in mine:
            if len(row) != 2 or "%" in row[1] or "n\u00a0=" in row[0] + row[1]:
                problems.append(f"{heading} {label}: numbers in a withheld row {row}")
            forms = {fmt.n_label(r["n"])} | {fmt.pct(r[c]) for c in ("negative", "neutral", "positive",
                                                                     "clearly_positive", "yes", "key_share")
                                             if not fmt.is_missing(r[c])}
            leaked = [f for f in forms if any(f in cell for cell in row)]
            if leaked:
                problems.append(f"{heading} {label}: raw values {leaked} shown")
        alt_label = f"{shorts[w['group']]} F{int(w['number'])}{word_of[w['gender']]}:"
        for seg in alts.split(";"):
            seg = seg.strip()
            if seg.startswith(alt_label) and ("%" in seg or "n\u00a0=" in seg):
                problems.append(f"alt text describes a withheld cell: {seg}")
    return problems


def _fake_notebook(html: str, alts: str):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html, "text/plain": "t"})] + [
        nbformat.v4.new_output("display_data", data={
            "text/markdown": f'![c](data:image/png;base64,AA){{fig-alt="{alt}"}}', "text/plain": alt})
        for alt in alts.split(" ;")
    ]
    nb.cells = [cell]
    return nb


def test_scanner_detects_a_leak_and_accepts_the_real_output():
    rep = forbund.open_report("alfa", 2022, FIXTURE)
    objs = [o for sec in forbund.indicator_sections(rep) for o in sec]
    good_html = _html(objs)
    good_alt = " ;".join(getattr(o, "alt", "") for o in objs if getattr(o, "alt", ""))
    assert _forbund_leaks(_fake_notebook(good_html, good_alt), "alfa", 2022, FIXTURE) == []
    # Replace the withheld gender row by the numbers it hides: the scanner must object.
    leaky_html = good_html.replace(
        reason_text("gender_min_n", DEFAULT_SETTINGS), f"Kvinnor (n{NB}={NB}6)</td><td>100{NB}%", 1)
    assert _forbund_leaks(_fake_notebook(leaky_html, good_alt), "alfa", 2022, FIXTURE)
    leaky_alt = good_alt + f" ;Pågående F1 kvinnor: klart positivt 67{NB}%, n{NB}={NB}6"
    assert _forbund_leaks(_fake_notebook(good_html, leaky_alt), "alfa", 2022, FIXTURE)


# ---------------------------------------------------------------------------
# Papermill executions
# ---------------------------------------------------------------------------
def _execute(name: str, out: Path, **parameters):
    import papermill as pm

    return pm.execute_notebook(
        str(NOTEBOOKS / name), str(out), parameters=parameters, kernel_name="python3",
        progress_bar=False, log_output=False, cwd=str(REPO),
    )


def _pick_cases():
    """(large förbund, year with a previous year) and (förbund with withheld cells, year without)."""
    ds, res = cache.load_results("")
    r = res.response
    tot = r.loc[(r["group"] == "totalt") & (r["forbund"] != NATIONAL)]
    years = tot.groupby("forbund")["year"].apply(set)
    with_prev = tot.loc[tot.apply(lambda x: x["year"] - 1 in years[x["forbund"]], axis=1)]
    large = with_prev.sort_values(["answered", "forbund"], ascending=[False, True]).iloc[0]
    q = res.question.loc[res.question["forbund"] != NATIONAL]
    best = None
    for (f, y), cells in q.groupby(["forbund", "year"]):
        if y - 1 in years[f] or y == min(r["year"]):
            continue
        reasons = set(cells.loc[cells["withheld"].astype(bool), "reason"])
        key = (-len(reasons), f, y)
        if reasons and (best is None or key < best[0]):
            best = (key, f, int(y))
    return (large["forbund"], int(large["year"])), (best[1], best[2])


def _assert_no_errors(nb):
    for o in _outputs(nb):
        assert o.output_type != "error", o.get("evalue")


@pytest.mark.slow
def test_forbund_large_with_previous_year(tmp_path):
    (forbund, year), _ = _pick_cases()
    nb = _execute("forbund.ipynb", tmp_path / "large.ipynb", forbund=forbund, year=year)
    _assert_no_errors(nb)
    text = json.dumps(nb, ensure_ascii=False)
    assert texts.SYNTHETIC_NOTICE_TITLE in text
    assert f"mot {year - 1}" in text and "Jämfört med" in text
    assert re.findall(r"\d %", text) == []  # every percentage has a non-breaking space
    assert _forbund_leaks(nb, forbund, year) == []
    # One figure per indicator with a shown answer (no empty charts), plus the spine chart and the trend
    # figure; all with alt text.
    ds, res = cache.load_results("")
    q = res.questions(year, forbund)
    q = q.loc[(q["gender"] == "alla") & ~q["withheld"].astype(bool)]
    indicators = {i for s in q["indicator"].astype(str) for i in s.split("|")}
    alts = _alt_texts(nb)
    assert len(alts) == len(indicators) + 2
    assert sum(a.startswith("Små diagram") for a in alts) == 1
    assert sum(a.startswith("Punktdiagram, ett led per indikator") for a in alts) == 1
    check = [o.text for o in _outputs(nb) if o.output_type == "stream"]
    assert check == [checks.expected_check_output("forbund", {"forbund": forbund, "year": year})]


@pytest.mark.slow
def test_forbund_with_withheld_cells_without_previous_year_is_deterministic(tmp_path):
    _, (forbund, year) = _pick_cases()
    first = _execute("forbund.ipynb", tmp_path / "a.ipynb", forbund=forbund, year=year)
    _assert_no_errors(first)
    text = json.dumps(first, ensure_ascii=False)
    assert "Jämförelse med föregående år saknas (" in text
    assert f"Förändring mot {year - 1}" not in text and "Pilen visar" not in text
    assert "Dolda uppgifter i den här rapporten**, efter skäl" in text
    assert _forbund_leaks(first, forbund, year) == []
    # Determinism: the same parameters give identical cells. What differs is
    # papermill's own: timestamps and durations in metadata.papermill and the
    # random id of the injected-parameters cell, and where the kernel happened to
    # split a printed line into two stream messages (the build normalises all three).
    second = _execute("forbund.ipynb", tmp_path / "b.ipynb", forbund=forbund, year=year)

    def cells(nb):
        out = []
        for c in nb.cells:
            tags = c.metadata.get("tags", [])
            d = {k: v for k, v in c.items() if k != "metadata" and not (k == "id" and "injected-parameters" in tags)}
            if "outputs" in d:
                d["outputs"] = coalesce_streams(d["outputs"])
            out.append(d | {"tags": tags})
        return out

    assert cells(first) == cells(second)
    pngs = [re.search(r"base64,([^)]+)\)", o.data["text/markdown"]).group(1) for o in _outputs(first)
            if "data:image/png" in o.get("data", {}).get("text/markdown", "")]
    assert pngs and all(b"Software" not in base64.b64decode(p)[:200] for p in pngs)


@pytest.mark.slow
def test_riket_2017(tmp_path):
    nb = _execute("riket.ipynb", tmp_path / "riket.ipynb", year=2017)
    _assert_no_errors(nb)
    ds, res = cache.load_results("")
    rows = _table_rows(_all_html(nb))
    # 003 table 2 totals recomputed from the demo data appear in the response table.
    nat = res.responses(2017, NATIONAL).set_index("group")
    total = next(r for r in rows if r[0] == "Respondentgrupperna totalt")
    assert total[1] == fmt.integer(nat.at["totalt", "asked"])
    assert total[-2] == fmt.integer(nat.at["totalt", "answered"]) == "996"
    # National withheld gender views show only a reason, never a share or an n.
    by_group, current = {}, None
    for o in _outputs(nb):
        data = o.get("data", {})
        if data.get("text/markdown", "").startswith("### "):
            current = data["text/markdown"][4:].strip()
        elif "text/html" in data and current:
            by_group.setdefault(current, []).extend(_table_rows(data["text/html"]))
    names = dict(zip(load_catalog().groups["group"], load_catalog().groups["name"]))
    qn = res.questions(2017, NATIONAL)
    withheld = qn.loc[qn["withheld"].astype(bool)]
    assert len(withheld) > 0
    for _i, w in withheld.iterrows():
        hits = [r for r in by_group[names[w["group"]]] if r[0].startswith(f"Fråga {int(w['number'])} ")]
        assert len(hits) == 1
        cell = hits[0][{"alla": 1, "kvinna": 2, "man": 3}[w["gender"]]]
        assert "%" not in cell and "n\u00a0=" not in cell, hits[0]
    # The tartan rug, then one funnel plot per questionnaire indicator of 2017 (1–10, 12–15).
    alts = _alt_texts(nb)
    assert len(alts) == 15 and alts[0].startswith("Rutnät med ")
    assert all(a.startswith("Trattdiagram för indikator") for a in alts[1:])


@pytest.mark.slow
def test_a_settings_override_of_every_key_reaches_the_executed_notebook(tmp_path):
    """The one ``settings`` parameter carries every key, funnel limits included."""
    from finsam.settings import Settings

    override = {"ci_method": "jeffreys", "confidence": 0.9, "margin_pp": 3.5, "min_n": 4, "caution_n": 20,
                "gender_min_n": 12, "funnel_limits": [0.9, 0.99], "min_forbund_national": 2,
                "trend_basis": "key"}
    defaults = Settings().as_dict()
    assert set(override) == set(defaults), "the test must override every setting"
    assert all(override[k] != defaults[k] for k in override)
    nb = _execute("indikator.ipynb", tmp_path / "ind.ipynb", indicator=7, settings=override)
    _assert_no_errors(nb)
    text = json.dumps(nb, ensure_ascii=False).replace("\\u00a0", NB)
    expected = {
        "ci_method": "Jeffreys metod",
        "confidence": f"90{NB}% konfidensintervall",
        "margin_pp": "större än 3,5 procentenheter",
        "min_n": "Färre än 4 svar",
        "caution_n": "4–19 svar",
        "gender_min_n": "minst 12 kvinnor och 12 män",
        "funnel_limits": f"med 90{NB}%- och 99{NB}%-gränser",
        "trend_basis": "räknat på nyckeltalet (klart positiva",
    }
    missing = {k: v for k, v in expected.items() if v not in text}
    assert not missing, missing
    # The indicator page has no previous-year arrows; the basis arrives with the other keys.
    assert nb.metadata["papermill"]["parameters"]["settings"]["trend_basis"] == "key"
    assert f"95{NB}% konfidensintervall" not in text and f"99,8{NB}%" not in text
