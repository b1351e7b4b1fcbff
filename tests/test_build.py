"""finsam build / report: planning, warm kernels, incremental runs, fault isolation.

Most tests use the small fixture templates in tests/fixtures/notebooks (same
parameters as the real ones, a second or so per notebook) on a copy of
tests/fixtures/valid (2 förbund × 2 years). The real templates run once per
session in the build shared with test_site.py (tests/_realbuild.py).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import subprocess

import nbformat
import pandas as pd
import pytest
import yaml
from _realbuild import real_build

from finsam import _plan
from finsam import build as B
from finsam import cli
from finsam._runner import Job, Outcome
from finsam.catalog import load_catalog
from finsam.io import Dataset, load_dataset

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
NOTEBOOKS = FIXTURES / "notebooks"
TEMPLATES = {"forbund": NOTEBOOKS / "forbund.ipynb", "riket": NOTEBOOKS / "riket.ipynb"}
FAILING = {"forbund": NOTEBOOKS / "forbund_fail.ipynb", "riket": NOTEBOOKS / "riket.ipynb"}
ALL_KEYS = {
    "2022/alfa.ipynb", "2022/beta.ipynb", "2022/riket.ipynb",
    "2023/alfa.ipynb", "2023/beta.ipynb", "2023/riket.ipynb",
}


def _build(root: Path, templates=TEMPLATES, **kw) -> B.BuildResult:
    kw.setdefault("jobs", 2)
    return B.build(root / "data", root=root, templates=templates, render=False, write_pages=False, **kw)


def _read(root: Path, key: str) -> nbformat.NotebookNode:
    return nbformat.read(root / "reports" / key, as_version=4)


def _stdout(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)


@pytest.fixture(scope="module", autouse=True)
def _stable_code_fingerprint():
    """Other edits to the package during the test run must not invalidate the manifest.

    Both fingerprints are fixed: the jobs' digests use ``_plan.code_fingerprint``
    and the no-op record uses ``hashing.package_fingerprint``. With only the
    first fixed, an edit to any finsam source while the (long) suite ran made
    the module fixture's no-op record stale, and later tests of this module
    depended on what else had changed meanwhile.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("finsam._plan.code_fingerprint", lambda: "test")
        mp.setattr("finsam.hashing.package_fingerprint", lambda: "test")
        yield


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A warm build of the fixture data with ONE worker: every notebook shares one kernel."""
    root = tmp_path_factory.mktemp("build")
    shutil.copytree(FIXTURES / "valid", root / "data")
    result = _build(root, jobs=1)
    return root, result


def _copy(built, tmp_path: Path) -> Path:
    root = tmp_path / "copy"
    shutil.copytree(built[0], root)
    return root


def test_first_build_writes_every_report_with_front_matter(built):
    root, result = built
    assert result.exit_code == 0
    assert set(result.executed) == ALL_KEYS and not result.failed and not result.skipped
    nb = _read(root, "2023/beta.ipynb")
    first = nb.cells[0]
    assert first.cell_type == "raw" and first.source.startswith("---\n") and first.source.endswith("\n---")
    fm = yaml.safe_load(first.source.strip("-\n"))
    assert fm["title"] == "Indikatorer 2023 – Samordningsförbundet Bäckebo"
    assert fm["year"] == 2023 and fm["forbund"] == "beta"
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "remove-cell" in injected[0].metadata["tags"]
    assert 'forbund = "beta"' in injected[0].source and "year = 2023" in injected[0].source
    # parameters arrive typed, not as strings
    assert nb.metadata["papermill"]["parameters"]["year"] == 2023
    assert nb.metadata["papermill"]["parameters"]["settings"]["confidence"] == 0.95
    # no timing metadata, counters start at 1 in every notebook of the shared kernel
    assert "start_time" not in nb.metadata["papermill"]
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))
    assert "Samordningsförbundet Bäckebo 2023: 152 svar" in _stdout(nb)
    riket = _read(root, "2023/riket.ipynb")
    assert yaml.safe_load(riket.cells[0].source.strip("-\n"))["title"] == "Indikatorer 2023 – Riket"
    manifest = json.loads((root / "reports" / B.MANIFEST).read_text())
    assert set(manifest["jobs"]) == ALL_KEYS


def test_no_state_leaks_between_notebooks_in_one_kernel(built):
    root, _ = built
    # Each förbund notebook defines _leak, sets lines.linewidth = 7 and
    # display.max_rows = 3; all four ran in one kernel, none may see that.
    for key in sorted(ALL_KEYS - {"2022/riket.ipynb", "2023/riket.ipynb"}):
        out = _stdout(_read(root, key))
        assert "läckt: False" in out, key
        assert "linjebredd: 1.5" in out, key
        assert "pandas max_rows: 60" in out, key
        figure = _read(root, key).cells[-1].outputs[0]
        assert "image/png" in figure["data"], key


def test_warm_kernels_give_the_same_files_as_fresh_kernels(built, tmp_path):
    root, _ = built
    fresh = tmp_path / "fresh"
    shutil.copytree(FIXTURES / "valid", fresh / "data")
    result = _build(fresh, warm=False)
    assert result.exit_code == 0 and set(result.executed) == ALL_KEYS
    for key in sorted(ALL_KEYS):
        assert (fresh / "reports" / key).read_bytes() == (root / "reports" / key).read_bytes(), key


def test_second_build_executes_nothing(built, tmp_path):
    root = _copy(built, tmp_path)
    result = _build(root)
    assert result.executed == [] and set(result.skipped) == ALL_KEYS and result.exit_code == 0


def test_nothing_changed_stops_before_reading_the_data(built, tmp_path, monkeypatch):
    """After a complete build (reports and pages), a build with the same inputs reads no data at all."""
    root = _copy(built, tmp_path)
    first = B.build(root / "data", root=root, templates=TEMPLATES, render=False, jobs=2)
    assert first.exit_code == 0 and first.executed == [] and (root / "reports" / "index.qmd").is_file()
    assert json.loads((root / "reports" / B.MANIFEST).read_text())["quick"]["planned"] == sorted(
        ALL_KEYS, key=first.planned.index)

    def no_reading(*args, **kwargs):
        raise AssertionError("the data were read")

    monkeypatch.setattr("finsam.io.load_dataset", no_reading)
    again = B.build(root / "data", root=root, templates=TEMPLATES, render=False, jobs=2)
    assert again.executed == [] and set(again.skipped) == ALL_KEYS and again.exit_code == 0
    monkeypatch.undo()
    # A report gone, or other settings: the full path runs (and reads the data).
    (root / "reports" / "2023" / "alfa.ipynb").unlink()
    third = B.build(root / "data", root=root, templates=TEMPLATES, render=False, jobs=2)
    assert third.executed == ["2023/alfa.ipynb"]
    monkeypatch.setattr("finsam.io.load_dataset", no_reading)
    with pytest.raises(AssertionError, match="the data were read"):
        B.build(root / "data", root=root, templates=TEMPLATES, render=False, jobs=2,
                settings=B.Settings(min_n=6))


#: A change to alfa's 2022 rows that leaves every national figure as shown: two
#: answers of the same class (5 and 6 are both "clearly positive") swap one count.
ALFA_2022_SWAP = (
    ("2022,alfa,deltagare_pagaende,pag_nytta,kvinna,5,3\n", "2022,alfa,deltagare_pagaende,pag_nytta,kvinna,5,2\n"),
    ("2022,alfa,deltagare_pagaende,pag_nytta,kvinna,6,1\n", "2022,alfa,deltagare_pagaende,pag_nytta,kvinna,6,2\n"),
)


def test_changing_a_forbund_year_reruns_its_later_reports_too(built, tmp_path):
    """alfa 2022 feeds alfa's 2023 report (comparison and "Utveckling över tid") and riket 2022/2023, not beta."""
    root = _copy(built, tmp_path)
    resp = root / "data" / "responses.csv"
    text = resp.read_text(encoding="utf-8")
    for old, new in ALFA_2022_SWAP:
        assert text.count(old) == 1
        text = text.replace(old, new)
    resp.write_text(text, encoding="utf-8")
    load_dataset(root / "data")  # still valid
    result = _build(root)
    assert sorted(result.executed) == ["2022/alfa.ipynb", "2022/riket.ipynb", "2023/alfa.ipynb", "2023/riket.ipynb"]
    assert sorted(result.skipped) == ["2022/beta.ipynb", "2023/beta.ipynb"]


def _with_year(ds: Dataset, source: int, target: int) -> Dataset:
    """``ds`` plus a copy of year ``source`` as year ``target``."""
    tables = {}
    for name in ("responses", "participation"):
        df = getattr(ds, name)
        tables[name] = pd.concat([df, df.loc[df["year"] == source].assign(year=target)], ignore_index=True)
    return Dataset(ds.forbund, tables["responses"], tables["participation"], meta=ds.meta, source=ds.source)


def _digest_table(ds: Dataset, catalog, years) -> dict[str, str]:
    d = _plan.data_digests(ds, catalog)
    out = {f"{y}/{f}": d.forbund_part(f, y) for y in years for f in ("alfa", "beta")}
    out.update({f"{y}/riket": d.years_part([y, y - 1]) for y in years})
    return out


def test_forbund_digest_covers_every_earlier_year():
    """Three years 2021–2023: a change to alfa 2021 reaches alfa 2022 and 2023 (the trend section), not beta."""
    catalog = load_catalog()
    base = _with_year(load_dataset(FIXTURES / "valid"), 2022, 2021)
    changed = _with_year(load_dataset(FIXTURES / "valid"), 2022, 2021)
    r = changed.responses
    rows = (r["year"] == 2021) & (r["forbund"] == "alfa") & (r["question"] == "pag_nytta") & (r["gender"] == "kvinna")
    five, six = rows & (r["answer"] == 5), rows & (r["answer"] == 6)
    assert r.loc[five, "count"].tolist() == [3] and r.loc[six, "count"].tolist() == [1]
    r.loc[five, "count"], r.loc[six, "count"] = 2, 2
    years = (2021, 2022, 2023)
    a, b = _digest_table(base, catalog, years), _digest_table(changed, catalog, years)
    assert _plan.data_digests(base, catalog).national == _plan.data_digests(changed, catalog).national
    differ = sorted(k for k in a if a[k] != b[k])
    assert differ == ["2021/alfa", "2021/riket", "2022/alfa", "2022/riket", "2023/alfa"]


def test_forbund_digest_covers_national_figures_of_every_earlier_year():
    d = _plan.DataDigests(
        slices={("alfa", str(y)): f"a{y}" for y in (2019, 2020, 2021)},
        national={str(y): f"n{y}" for y in (2019, 2020, 2021)},
        names={"alfa": "Alfa"},
        names_digest="-",
    )
    before = d.forbund_part("alfa", 2021)
    d.national["2019"] = "changed"  # two years back: drawn as the national line of the trend
    assert d.forbund_part("alfa", 2021) != before
    assert d.forbund_part("alfa", 2020) != _plan.DataDigests(
        {("alfa", "2019"): "a2019", ("alfa", "2020"): "a2020"}, {"2019": "n2019", "2020": "n2020"}, {"alfa": "Alfa"}, "-"
    ).forbund_part("alfa", 2020)
    # Later years are not part of an earlier report.
    later = d.forbund_part("alfa", 2020)
    d.national["2021"] = "changed"
    d.slices[("alfa", "2021")] = "changed"
    assert d.forbund_part("alfa", 2020) == later


def test_changing_one_forbund_reruns_only_its_reports_and_riket(built, tmp_path):
    root = _copy(built, tmp_path)
    part = root / "data" / "participation.csv"
    text = part.read_text(encoding="utf-8")
    assert "2023,beta,deltagare_pagaende,56,4,40" in text
    part.write_text(text.replace("2023,beta,deltagare_pagaende,56,4,40", "2023,beta,deltagare_pagaende,56,5,40"), encoding="utf-8")
    load_dataset(root / "data")  # still valid
    before = (root / "reports" / "2023" / "alfa.ipynb").stat().st_mtime_ns
    result = _build(root)
    assert sorted(result.executed) == ["2023/beta.ipynb", "2023/riket.ipynb"]
    assert (root / "reports" / "2023" / "alfa.ipynb").stat().st_mtime_ns == before
    # --force runs everything again
    assert set(_build(root, force=True).executed) == ALL_KEYS


def test_failed_job_keeps_previous_output_and_is_named(built, tmp_path, capsys):
    root = _copy(built, tmp_path)
    good = {k: (root / "reports" / k).read_bytes() for k in ("2022/beta.ipynb", "2023/beta.ipynb")}
    result = _build(root, templates=FAILING)
    assert result.exit_code == 1
    assert sorted(result.failed) == ["2022/beta.ipynb", "2023/beta.ipynb"]
    assert sorted(result.executed) == ["2022/alfa.ipynb", "2023/alfa.ipynb"]  # riket unchanged: skipped
    for key, data in good.items():
        assert (root / "reports" / key).read_bytes() == data
    assert "ok" in _stdout(_read(root, "2023/alfa.ipynb"))
    err = result.failed["2023/beta.ipynb"]
    assert err.ename == "RuntimeError" and err.evalue == "avsiktligt fel för beta 2023"
    out = result.summary
    assert "reports/2023/beta.ipynb" in out
    assert 'raise RuntimeError(f"avsiktligt fel för {forbund} {year}")' in out
    assert "RuntimeError: avsiktligt fel för beta 2023" in out
    assert "Delvis körd notebook: reports/_failed/2023/beta.ipynb" in out
    partial = root / "reports" / "_failed" / "2023" / "beta.ipynb"
    assert partial.is_file() and "avsiktligt fel" in partial.read_text(encoding="utf-8")
    manifest = json.loads((root / "reports" / B.MANIFEST).read_text())
    assert "2023/beta.ipynb" not in manifest["jobs"] and "2023/alfa.ipynb" in manifest["jobs"]
    # The manifest knows which reports are out of date, and why (for the site).
    failed = B.failed_reports(root)
    assert sorted(failed) == ["2022/beta.ipynb", "2023/beta.ipynb"]
    assert failed["2023/beta.ipynb"] == ("Senaste körningen misslyckades (RuntimeError: avsiktligt fel för beta 2023); "
                                         "rapporten är inte uppdaterad.")
    # fixed: the failed reports run again (and only they), the partial copies go away
    result = _build(root)
    assert sorted(result.executed) == sorted(ALL_KEYS - {"2022/riket.ipynb", "2023/riket.ipynb"})
    assert not partial.exists()
    assert B.failed_reports(root) == {}


def test_failed_reports_of_a_project_without_a_readable_manifest(tmp_path):
    from finsam._manifest import failure_reason

    assert B.failed_reports(tmp_path) == {}  # never built
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / B.MANIFEST).write_text("{ inte json", encoding="utf-8")
    assert B.failed_reports(tmp_path) == {}
    (tmp_path / "reports" / B.MANIFEST).write_text(json.dumps(
        {"format": 1, "jobs": {}, "failed": {"2023/alfa.ipynb": failure_reason("ValueError", "x" * 500 + "\nrad 2")}}),
        encoding="utf-8")
    (reason,) = B.failed_reports(tmp_path).values()
    assert reason.startswith("Senaste körningen misslyckades (ValueError: xxx") and "rad 2" not in reason
    assert len(reason) < 300 and "…" in reason


def test_a_report_changed_on_disk_runs_again(built, tmp_path):
    """The manifest holds each report's sha256: a truncated report, or one edited with its size and time kept, re-runs."""
    root = _copy(built, tmp_path)
    manifest = json.loads((root / "reports" / B.MANIFEST).read_text())
    assert set(manifest["outputs"]) == ALL_KEYS
    truncated = root / "reports" / "2023" / "alfa.ipynb"
    data = truncated.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    result = _build(root)
    assert result.executed == ["2023/alfa.ipynb"] and len(result.skipped) == 5
    assert truncated.read_bytes() == data
    # Same size, same modification time, other bytes: the no-op check reads the bytes too.
    edited = root / "reports" / "2022" / "beta.ipynb"
    st = edited.stat()
    text = edited.read_bytes()
    index = text.index(b"152") if b"152" in text else len(text) // 2
    edited.write_bytes(text[:index] + (b"9" if text[index:index + 1] != b"9" else b"8") + text[index + 1:])
    os.utime(edited, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert edited.stat().st_size == st.st_size
    result = _build(root)
    assert result.executed == ["2022/beta.ipynb"] and edited.read_bytes() == text


def test_unknown_filters_are_listed(tmp_path, capsys):
    shutil.copytree(FIXTURES / "valid", tmp_path / "data")
    with pytest.raises(B.BuildInputError) as exc:
        _build(tmp_path, years=[2030], forbund=["gamma"])
    text = str(exc.value)
    assert "Okänt år: 2030" in text and "2022, 2023" in text
    assert "Okänt förbund: gamma" in text and "alfa, beta" in text
    code = cli.build_command(data=tmp_path / "data", years=(2030,), forbund=(), jobs=None, force=False,
                           render=False, settings_file=None)
    assert code == 2 and "Okänt år: 2030" in capsys.readouterr().err


def test_filters_restrict_the_plan(tmp_path):
    shutil.copytree(FIXTURES / "valid", tmp_path / "data")
    ds = load_dataset(tmp_path / "data")
    jobs = B.plan_jobs(ds, settings=B.DEFAULT_SETTINGS, templates=TEMPLATES, root=tmp_path, years=[2023],
                       forbund=["alfa"])
    assert [j.key for j in jobs] == ["2023/alfa.ipynb"]
    jobs = B.plan_jobs(ds, settings=B.DEFAULT_SETTINGS, templates=TEMPLATES, root=tmp_path, forbund=["riket"])
    assert [j.key for j in jobs] == ["2023/riket.ipynb", "2022/riket.ipynb"]
    assert jobs[0].parameters["data_dir"] == "data"


def test_every_setting_reaches_every_job_in_one_parameter(tmp_path):
    """A settings file's every key, ``[funnel] limits`` included, is the jobs' ``settings`` parameter."""
    from finsam.settings import Settings

    shutil.copytree(FIXTURES / "valid", tmp_path / "data")
    ds = load_dataset(tmp_path / "data")
    custom = tmp_path / "egna.toml"
    custom.write_text('[intervals]\nci_method = "jeffreys"\nconfidence = 0.9\n[comparison]\nmargin_pp = 3.0\ntrend_basis = "key"\nmin_forbund_national = 2\n'
                      '[small_n]\nmin_n = 4\ncaution_n = 20\ngender_min_n = 12\n[funnel]\nlimits = [0.9, 0.99]\n',
                      encoding="utf-8")
    settings = Settings.from_toml(custom)
    assert all(getattr(settings, k) != v for k, v in Settings().as_dict().items() if k != "funnel_limits")
    assert settings.funnel_limits == (0.9, 0.99)
    jobs = B.plan_jobs(ds, settings=settings, templates=TEMPLATES, root=tmp_path)
    default = B.plan_jobs(ds, settings=B.DEFAULT_SETTINGS, templates=TEMPLATES, root=tmp_path)
    assert jobs and all(j.parameters["settings"] == settings.as_dict() for j in jobs)
    assert Settings.load(jobs[0].parameters["settings"]) == settings
    assert {j.digest for j in jobs}.isdisjoint(j.digest for j in default)


def test_template_without_the_parameters_is_refused(tmp_path):
    shutil.copytree(FIXTURES / "valid", tmp_path / "data")
    ds = load_dataset(tmp_path / "data")
    with pytest.raises(B.BuildInputError, match="saknar parametrarna forbund"):
        B.plan_jobs(ds, settings=B.DEFAULT_SETTINGS, templates={"forbund": TEMPLATES["riket"]}, root=tmp_path)


def test_invalid_data_exits_2_with_the_problems(capsys):
    code = cli.build_command(data=FIXTURES / "broken", years=(), forbund=(), jobs=None, force=False,
                           render=False, settings_file=None)
    assert code == 2
    err = capsys.readouterr().err
    assert "fel hittades" in err and ".csv" in err


def test_national_figures_are_hashed_at_display_precision(tmp_path):
    """A national change below 0.05 points leaves the förbund digests alone."""
    from finsam import _plan
    from finsam.catalog import load_catalog

    shutil.copytree(FIXTURES / "valid", tmp_path / "data")
    ds = load_dataset(tmp_path / "data")
    cat = load_catalog()
    base = _plan.data_digests(ds, cat)
    # Scale every count by 10: shares, hence rounded national figures, are unchanged.
    scaled = load_dataset(tmp_path / "data")
    scaled.responses["count"] = scaled.responses["count"] * 10
    for c in ("asked", "unreachable", "answered"):
        scaled.participation[c] = scaled.participation[c] * 10
    other = _plan.data_digests(scaled, cat)
    assert other.national == base.national
    assert other.forbund_part("alfa", 2023) != base.forbund_part("alfa", 2023)  # its own rows changed


def test_real_templates_build(tmp_path_factory):
    """The real templates (shared build, tests/_realbuild.py): every report executes, with front matter."""
    real = real_build(tmp_path_factory)
    result = real.result
    assert result.exit_code == 0, result.summary
    assert set(result.executed) == ALL_KEYS
    nb = nbformat.read(real.reports / "2023" / "alfa.ipynb", as_version=4)
    fm = yaml.safe_load(nb.cells[0].source.strip("-\n"))
    assert fm["title"] == "Indikatorer 2023 – Samordningsförbundet Åby, Bro och Ceby"
    assert not any(o.get("output_type") == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert real.indicator_ok, real.indicator_error


# ---------------------------------------------------------------------------
# finsam report


def test_report_for_a_year_without_data_lists_the_forbund_years(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "valid", data)
    for name in ("responses.csv", "participation.csv"):
        lines = (data / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (data / name).write_text("".join(l for l in lines if not l.startswith("2022,beta,")), encoding="utf-8")
    code = cli.report_command(data=data, forbund="beta", year=2022, pdf=False, settings_file=None)
    assert code == 2
    err = capsys.readouterr().err
    assert "Förbundet beta har inga data för 2022. År med data för förbundet: 2023." in err


def _fake_report(monkeypatch, root: Path) -> None:
    """finsam report without papermill: run_report returns an executed 2023/alfa."""
    job = Job("forbund", "2023/alfa.ipynb", "2023 alfa", "t", "t", {}, "", "d")
    monkeypatch.setattr(B, "run_report", lambda *a, **k: (job, Outcome(job.key, True, 1.0)))
    if not (root / "_quarto.yml").is_file():
        (root / "_quarto.yml").write_text("project:\n  type: website\n", encoding="utf-8")
    monkeypatch.chdir(root)  # the project is the current directory


def test_report_pdf_names_the_file_quarto_wrote(tmp_path, monkeypatch, capsys):
    (tmp_path / "_quarto.yml").write_text("project:\n  type: website\n  output-dir: _site\n", encoding="utf-8")
    _fake_report(monkeypatch, tmp_path)
    calls = []

    def fake_run(cmd, cwd, env=None):
        calls.append((cmd, cwd))
        out = tmp_path / "_site" / "reports" / "2023" / "alfa.pdf"
        out.parent.mkdir(parents=True)
        out.write_bytes(b"%PDF-1.7")
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(B.shutil, "which", lambda name: "/usr/bin/quarto")
    monkeypatch.setattr(B.subprocess, "run", fake_run)
    code = cli.report_command(data=None, forbund="alfa", year=2023, pdf=True, settings_file=None)
    assert code == 0
    assert calls == [(["/usr/bin/quarto", "render", "reports/2023/alfa.ipynb", "--to", "typst"], tmp_path)]
    out = capsys.readouterr().out
    assert "PDF skriven: _site/reports/2023/alfa.pdf" in out


def test_pdf_path_follows_the_project_output_dir(tmp_path):
    assert B.pdf_path(tmp_path, "2023/alfa.ipynb") == Path("reports/2023/alfa.pdf")  # no project
    (tmp_path / "_quarto.yml").write_text("project:\n  type: website\n", encoding="utf-8")
    assert B.pdf_path(tmp_path, "2023/alfa.ipynb") == Path("_site/reports/2023/alfa.pdf")
    (tmp_path / "_quarto.yml").write_text("project:\n  type: website\n  output-dir: docs\n", encoding="utf-8")
    assert B.pdf_path(tmp_path, "2023/riket.ipynb") == Path("docs/reports/2023/riket.pdf")
    assert B.pdf_path(B.REPO_ROOT, "2023/alfa.ipynb") == Path("_site/reports/2023/alfa.pdf")  # the shipped project


def test_quarto_missing_messages_give_a_working_install_command(tmp_path, monkeypatch, capsys):
    _fake_report(monkeypatch, tmp_path)
    monkeypatch.setattr(B.shutil, "which", lambda name: None)
    assert cli.report_command(data=None, forbund="alfa", year=2023, pdf=True, settings_file=None) == 1  # no PDF
    err = capsys.readouterr().err
    code, message, _ = B._render_site(tmp_path)
    assert code == 0
    readme = (HERE.parent / "README.md").read_text(encoding="utf-8")
    for text in (err, message):
        assert 'pip install -e ".[quarto]"' in text and "finsam[quarto]" not in text
        assert "https://quarto.org/docs/get-started/" in text
    assert 'pip install -e ".[quarto]"' in readme
    assert "quarto render reports/2023/alfa.ipynb --to typst" in err


def test_split_stream_outputs_are_merged():
    from nbformat.v4 import new_output

    from finsam._runner import coalesce_streams

    split = [
        new_output("stream", name="stdout", text="Bäckebo 2023: 152 svar"),
        new_output("stream", name="stdout", text="\n"),
        new_output("stream", name="stderr", text="varning\n"),
        new_output("execute_result", data={"text/plain": "152"}, execution_count=5),
        new_output("stream", name="stdout", text="slut\n"),
    ]
    merged = coalesce_streams(split)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "Bäckebo 2023: 152 svar\n"),
        ("stream", "stderr", "varning\n"),
        ("execute_result", None, None),
        ("stream", "stdout", "slut\n"),
    ]
