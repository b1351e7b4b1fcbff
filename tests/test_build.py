"""finsam build / report: planning, warm kernels, incremental runs, fault isolation.

Most tests use the small fixture templates in tests/fixtures/notebooks (same
parameters as the real ones, a second or so per notebook) on a copy of
tests/fixtures/valid (2 förbund × 2 years). One test runs the real templates.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from finsam import build as B
from finsam.io import load_dataset

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
    """Other edits to the package during the test run must not invalidate the manifest."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("finsam._plan.code_fingerprint", lambda: "test")
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
    assert nb.metadata["papermill"]["parameters"]["confidence"] == 0.95
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
    out = capsys.readouterr().out
    assert "reports/2023/beta.ipynb" in out
    assert 'raise RuntimeError(f"avsiktligt fel för {forbund} {year}")' in out
    assert "RuntimeError: avsiktligt fel för beta 2023" in out
    assert "Delvis körd notebook: reports/_failed/2023/beta.ipynb" in out
    partial = root / "reports" / "_failed" / "2023" / "beta.ipynb"
    assert partial.is_file() and "avsiktligt fel" in partial.read_text(encoding="utf-8")
    manifest = json.loads((root / "reports" / B.MANIFEST).read_text())
    assert "2023/beta.ipynb" not in manifest["jobs"] and "2023/alfa.ipynb" in manifest["jobs"]
    # fixed: the failed reports run again (and only they), the partial copies go away
    result = _build(root)
    assert sorted(result.executed) == sorted(ALL_KEYS - {"2022/riket.ipynb", "2023/riket.ipynb"})
    assert not partial.exists()


def test_unknown_filters_are_listed(tmp_path, capsys):
    shutil.copytree(FIXTURES / "valid", tmp_path / "data")
    with pytest.raises(B.BuildInputError) as exc:
        _build(tmp_path, years=[2030], forbund=["gamma"])
    text = str(exc.value)
    assert "Okänt år: 2030" in text and "2022, 2023" in text
    assert "Okänt förbund: gamma" in text and "alfa, beta" in text
    code = B.build_command(data=tmp_path / "data", years=(2030,), forbund=(), jobs=None, force=False,
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


def test_template_without_the_parameters_is_refused(tmp_path):
    shutil.copytree(FIXTURES / "valid", tmp_path / "data")
    ds = load_dataset(tmp_path / "data")
    with pytest.raises(B.BuildInputError, match="saknar parametrarna forbund"):
        B.plan_jobs(ds, settings=B.DEFAULT_SETTINGS, templates={"forbund": TEMPLATES["riket"]}, root=tmp_path)


def test_invalid_data_exits_2_with_the_problems(capsys):
    code = B.build_command(data=FIXTURES / "broken", years=(), forbund=(), jobs=None, force=False,
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


def test_real_templates_one_forbund_and_riket(tmp_path, monkeypatch):
    templates = {k: B.NOTEBOOKS_DIR / f for k, f in B.TEMPLATE_FILES.items() if k != "indikator"}
    if not all(p.is_file() for p in templates.values()):
        pytest.fail("notebooks/forbund.ipynb and riket.ipynb are part of the repository")
    monkeypatch.setenv("FINSAM_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copytree(FIXTURES / "valid", tmp_path / "data")
    result = _build(tmp_path, templates=templates, years=[2023], forbund=["alfa", "riket"])
    assert result.exit_code == 0, result.summary
    assert sorted(result.executed) == ["2023/alfa.ipynb", "2023/riket.ipynb"]
    nb = _read(tmp_path, "2023/alfa.ipynb")
    fm = yaml.safe_load(nb.cells[0].source.strip("-\n"))
    assert fm["title"] == "Indikatorer 2023 – Samordningsförbundet Åby, Bro och Ceby"
    assert not any(o.get("output_type") == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
