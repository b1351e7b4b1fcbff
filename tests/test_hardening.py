"""Hostile input and faults (issue 14): escaping, formula injection, bounds, locks, interrupted builds."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import VALID_DIR, quarto_command

REPO = Path(__file__).resolve().parents[1]
SITE_FILES = ("_quarto.yml", "theme.scss", "index.qmd", "metod.qmd", "data.qmd")

#: A value no page may show: it would come from an expanded ``{{< env … >}}`` shortcode.
SECRET = "FINSAM-SHORTCODE-EXPANDED-4711"
HOSTILE = {
    "alfa": "<script>alert(1)</script> {{< env FINSAM_HOSTILE >}} [x](javascript:alert(1))",
    "beta": "<img src=x onerror=alert(2)> # Rubrik >}} {{% env FINSAM_HOSTILE %}}",
}
HOSTILE_META = {"name": "{{< env FINSAM_HOSTILE >}} <b>fet</b>", "source": "<script>alert(3)</script>"}


def _hostile_data(target: Path) -> Path:
    shutil.copytree(VALID_DIR, target)
    with open(target / "forbund.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["forbund", "name"])
        for fid, name in HOSTILE.items():
            w.writerow([fid, name])
    toml = (target / "dataset.toml").read_text(encoding="utf-8")
    for key, value in HOSTILE_META.items():
        toml = re.sub(rf'(?m)^{key} = ".*"$', f"{key} = {json.dumps(value)}", toml)
    (target / "dataset.toml").write_text(toml, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A real build (real templates, year 2023) of data with hostile names; rendered where Quarto exists."""
    from finsam import build as B

    root = tmp_path_factory.mktemp("hostile")
    data = _hostile_data(root / "data")
    for name in SITE_FILES:
        shutil.copy(REPO / name, root / name)
    render = shutil.which("quarto") is not None
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FINSAM_CACHE_DIR", str(tmp_path_factory.mktemp("hostile-cache")))
        mp.setenv("FINSAM_HOSTILE", SECRET)
        result = B.build(data, root=root, years=[2023], jobs=2, progress=False, render=render,
                         templates={k: B.NOTEBOOKS_DIR / B.TEMPLATE_FILES[k] for k in ("forbund", "riket")})
    assert result.exit_code == 0, result.summary
    return root, result


def _markdown_sources(root: Path) -> list[tuple[str, str]]:
    """Every Markdown text the site is rendered from: notebook outputs and raw cells, generated pages."""
    import nbformat

    out = []
    for nb_path in sorted((root / "reports").rglob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type in ("raw", "markdown"):
                out.append((str(nb_path), cell.source))
            for o in cell.get("outputs", []):
                for mime in ("text/markdown",):  # text/html is escaped HTML: the rendered-HTML test checks it
                    text = o.get("data", {}).get(mime)
                    if text:
                        out.append((str(nb_path), "".join(text)))
    for page in sorted((root / "reports").rglob("*.qmd")) + sorted((root / "reports").glob("*.yml")):
        out.append((str(page), page.read_text(encoding="utf-8")))
    return out


def test_hostile_names_are_inert_in_every_markdown_source(hostile_site):
    root, _result = hostile_site
    sources = _markdown_sources(root)
    joined = "\n".join(text for _p, text in sources)
    assert "Rubrik" in joined and "alert(1)" in joined  # the names are shown …
    for path, text in sources:  # … but never as markup
        assert not re.search(r"\{\{\s*[<%]|[>%]\s*\}\}", text), path
        # Categories (plain text to Quarto), alt attributes and Typst strings are no markup; the HTML test checks them.
        text = re.sub(r'(?m)^categories:\n(- .*\n)+', "", text)
        text = re.sub(r'\{fig-alt="(\\.|[^"\\])*"\}', "", text)
        text = re.sub(r"```\{=typst\}.*?```", "", text, flags=re.S)  # names there are Typst string literals
        assert not re.search(r"(?<!\\)<script>alert", text), path
        assert not re.search(r"(?<!\\)<img src=x", text), path
        assert not re.search(r"(?<!\\)\]\(javascript:", text), path
        assert not re.search(r"\{\{\s*[<%]|[>%]\s*\}\}", text), path
        assert not re.search(r"(?<!\\)<b>fet", text), path


#: The calls in the hostile names (Quarto's own scripts call ``alert("…")`` with a message).
_HOSTILE_CALL = re.compile(r"alert\(\d\)")


class _LiveMarkup(HTMLParser):
    """Collects elements and attributes from the hostile names that a browser would act on."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and _HOSTILE_CALL.search(value):
                self.found.append(f"<{tag} {name}={value}>")
            if name in ("href", "src") and (value.lower().startswith("javascript:") or value == "x"):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_endtag(self, tag):
        self.in_script = False

    def handle_data(self, data):
        if self.in_script and _HOSTILE_CALL.search(data):
            self.found.append(f"<script>{data[:40]}")


@pytest.mark.quarto
def test_hostile_names_render_as_text(hostile_site):
    quarto_command()
    from finsam.render import output_dir

    root, result = hostile_site
    assert result.rendered, result.summary
    pages = sorted((root / output_dir(root)).rglob("*.html"))
    assert any("2023" in p.as_posix() and p.stem == "alfa" for p in pages)
    shown = False
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert SECRET not in text, page
        parser = _LiveMarkup()
        parser.feed(text)
        assert parser.found == [], page
        shown = shown or "&lt;script&gt;alert(1)" in text
    assert shown


# ---------------------------------------------------------------------------
# formula injection in published spreadsheets
FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_spreadsheet_cells_are_neutralised_numbers_kept():
    import pandas as pd

    from finsam.escape import spreadsheet_cell, spreadsheet_frame

    for f in FORMULAS:
        assert spreadsheet_cell(f) == "'" + f
    assert spreadsheet_cell("Samordningsförbundet Bäckebo") == "Samordningsförbundet Bäckebo"
    df = pd.DataFrame({"name": FORMULAS, "n": [-1, 2, 3, 4, 5, -6], "share": [-0.5] * 6})
    out = spreadsheet_frame(df)
    assert list(out["n"]) == [-1, 2, 3, 4, 5, -6] and list(out["share"]) == [-0.5] * 6
    assert all(v.startswith("'") for v in out["name"])


def test_published_aggregates_and_results_neutralise_formulas(tmp_path):
    import pandas as pd

    from finsam.io import load_dataset
    from finsam.results import results_csv_text
    from finsam.settings import DEFAULT_SETTINGS
    from finsam.site import write_pages

    data = _hostile_data(tmp_path / "data")
    with open(data / "forbund.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerows([["forbund", "name"], ["alfa", FORMULAS[0]], ["beta", FORMULAS[1]]])
    with open(data / "dataset.toml", "a", encoding="utf-8") as fh:
        fh.write("publish_aggregates = true\n")  # the last table is [dataset]
    ds = load_dataset(data)
    write_pages(ds, DEFAULT_SETTINGS, tmp_path)
    published = pd.read_csv(tmp_path / "reports" / "data" / "forbund.csv", dtype=str, keep_default_na=False)
    assert sorted(published["name"]) == sorted("'" + f for f in FORMULAS[:2])
    text = results_csv_text(pd.DataFrame({"forbund": ["=1+1"], "key_share": [-0.25]}))
    assert text.splitlines()[1] == "'=1+1,-0.250000"


# ---------------------------------------------------------------------------
# the results cache is data, never code
def test_results_cache_is_json_and_round_trips(tmp_path, monkeypatch):
    import pandas as pd

    from finsam import cache

    monkeypatch.setenv("FINSAM_CACHE_DIR", str(tmp_path))
    cache.clear_memory()
    ds, res = cache.load_results(VALID_DIR)
    (entry,) = tmp_path.glob("results-*.json")
    assert not list(tmp_path.glob("*.pkl"))
    json.loads(entry.read_text(encoding="utf-8"))
    cache.clear_memory()
    ds2, res2 = cache.load_results(VALID_DIR)
    for name in ("forbund", "responses", "participation"):
        pd.testing.assert_frame_equal(getattr(ds, name), getattr(ds2, name))
    for name in ("question", "indicator", "response"):
        pd.testing.assert_frame_equal(getattr(res, name), getattr(res2, name))
    assert ds2.meta == ds.meta and ds2.source == ds.source


def test_results_cache_never_unpickles(tmp_path, monkeypatch):
    import pickle

    from finsam import cache

    monkeypatch.setenv("FINSAM_CACHE_DIR", str(tmp_path))
    cache.clear_memory()
    cache.load_results(VALID_DIR)
    (entry,) = tmp_path.glob("results-*.json")
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    entry.write_bytes(pickle.dumps(Evil()))
    for stale in [entry, entry.with_suffix(".pkl")]:
        stale.write_bytes(pickle.dumps(Evil()))
    cache.clear_memory()
    _ds, res = cache.load_results(VALID_DIR)  # a broken entry is recomputed
    assert len(res.question) and not marker.exists()


# ---------------------------------------------------------------------------
# numbers a survey cannot hold, and messages of bounded length
def _copy_valid(target: Path) -> Path:
    shutil.copytree(VALID_DIR, target)
    return target


def _replace_line(path: Path, number: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("huge", ["9223372036854775808", "100000000000000000000", "10000001"])
def test_huge_counts_are_rejected_by_validation(tmp_path, huge):
    import subprocess
    import sys

    data = _copy_valid(tmp_path / "data")
    _replace_line(data / "responses.csv", 1, f"2022,alfa,deltagare_pagaende,pag_nytta,kvinna,4,{huge}")
    from finsam.io import read_raw
    from finsam.validate import validate_dataset

    problems = [str(p) for p in validate_dataset(read_raw(data))]
    assert any("orimligt stort" in p and "rad 2" in p for p in problems), problems
    out = tmp_path / "r.csv"
    proc = subprocess.run([sys.executable, "-m", "finsam.cli", "results", str(data), "--year", "2022", "--out",
                           str(out)], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "OverflowError" not in proc.stderr
    assert not out.exists()


def test_long_and_invisible_values_are_quoted_short_and_visible(tmp_path):
    from finsam.io import read_raw
    from finsam.validate import validate_dataset

    data = _copy_valid(tmp_path / "data")
    _replace_line(data / "responses.csv", 1, "2022,alfa,deltagare_pagaende,pag_nytta,kvinna,4," + "9x" * 5000)
    _replace_line(data / "responses.csv", 2, "2022,alfa,deltagare_pagaende,pag_nytta,kvinna,5,3\x00")
    _replace_line(data / "forbund.csv", 2, "beta," + "B" * 300)
    problems = [str(p) for p in validate_dataset(read_raw(data))]
    assert problems and all(len(p) < 300 for p in problems), [p[:120] for p in problems]
    assert any("\\x00" in p for p in problems), problems
    assert any("namnet är 300 tecken" in p for p in problems), problems


# ---------------------------------------------------------------------------
# builds: lock, prune, temporary files, unwritable project
def _skipping_project(root: Path) -> Path:
    """A project whose manifest says every job is up to date (a build then runs no kernel)."""
    from finsam import build as B
    from finsam.io import load_dataset
    from finsam.settings import DEFAULT_SETTINGS

    data = _copy_valid(root / "data")
    templates = B._templates(None)
    jobs = B.plan_jobs(load_dataset(data), settings=DEFAULT_SETTINGS, templates=templates, root=root)
    for job in jobs:
        (root / "reports" / job.key).parent.mkdir(parents=True, exist_ok=True)
        (root / "reports" / job.key).write_text("{}", encoding="utf-8")
    manifest = {j.key: j.digest for j in jobs}
    manifest["2021/gamma.ipynb"] = "0" * 64
    (root / "reports" / "2021").mkdir()
    (root / "reports" / "2021" / "gamma.ipynb").write_text("{}", encoding="utf-8")
    failed = {"2020/delta.ipynb": "Senaste körningen misslyckades (RuntimeError: x); rapporten är inte uppdaterad."}
    (root / "reports" / B.MANIFEST).write_text(json.dumps({"format": 1, "jobs": manifest, "failed": failed}),
                                               encoding="utf-8")
    return data


@pytest.mark.parametrize("prune", [False, True])
def test_reports_of_absent_forbund_need_prune(tmp_path, prune):
    from finsam import build as B

    data = _skipping_project(tmp_path)
    temp = tmp_path / "reports" / "2022" / ".alfa.ipynb.k2j3h4g5.ipynb"
    temp.write_text("half", encoding="utf-8")
    result = B.build(data, root=tmp_path, render=False, write_pages=False, progress=False, prune=prune)
    assert result.exit_code == 0 and not result.executed
    stale = tmp_path / "reports" / "2021" / "gamma.ipynb"
    assert stale.exists() is not prune
    assert "2021/gamma.ipynb" in result.summary
    assert ("--prune" in result.summary) is not prune
    assert not temp.exists()
    # A report whose last run failed, of a förbund no longer in the data, goes the same way.
    assert "2020/delta.ipynb" in result.summary
    assert ("2020/delta.ipynb" in B.failed_reports(tmp_path)) is not prune


def test_a_second_build_says_one_is_running(tmp_path):
    import subprocess
    import sys

    data = _skipping_project(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from finsam.build import build_lock\n"
         "with build_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(120)",
         str(tmp_path / "reports")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        from finsam.build import BuildLockedError, build

        with pytest.raises(BuildLockedError, match=f"process {holder.pid}"):
            build(data, root=tmp_path, render=False, write_pages=False, progress=False)
    finally:
        holder.kill()
        holder.wait()
    # The lock dies with its holder (kill -9): the next build runs.
    from finsam.build import build

    assert build(data, root=tmp_path, render=False, write_pages=False, progress=False).exit_code == 0


def test_unwritable_project_is_a_swedish_message_exit_1(tmp_path, monkeypatch, capsys):
    from finsam import cli
    from finsam.project import init_project

    root = tmp_path / "proj"
    init_project(root)
    (root / "reports").write_text("a file where the reports folder must be", encoding="utf-8")
    code = cli.build_command(data=VALID_DIR, years=(), forbund=(), jobs=1, force=False, render=False,
                             settings_file=None, project=root)
    assert code == 1
    assert "kunde inte skriva i projektkatalogen" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# a killed build takes its workers and kernels along
def _slow_templates(target: Path) -> dict:
    """The fixture templates, the förbund one with a cell that sleeps (a kernel is busy when the build dies)."""
    import nbformat

    fixtures = Path(__file__).resolve().parent / "fixtures" / "notebooks"
    target.mkdir()
    nb = nbformat.read(fixtures / "forbund.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import time\ntime.sleep(120)"))
    nbformat.write(nb, target / "forbund.ipynb")
    shutil.copy(fixtures / "riket.ipynb", target / "riket.ipynb")
    return {"forbund": str(target / "forbund.ipynb"), "riket": str(target / "riket.ipynb")}


def _alive(proc) -> bool:
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.slow
def test_kill_9_of_a_build_ends_its_workers_and_kernels(tmp_path):
    import subprocess
    import sys
    import time

    import psutil
    data = _copy_valid(tmp_path / "data")
    templates = _slow_templates(tmp_path / "templates")
    code = ("import sys, json; from finsam.build import build\n"
            "build(sys.argv[1], root=sys.argv[2], templates=json.loads(sys.argv[3]), jobs=2, render=False,"
            " write_pages=False, progress=False)")
    build = subprocess.Popen([sys.executable, "-c", code, str(data), str(tmp_path), json.dumps(templates)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        parent = psutil.Process(build.pid)
        deadline = time.monotonic() + 240
        kernels = []
        while time.monotonic() < deadline and len(kernels) < 2:
            time.sleep(0.5)
            assert build.poll() is None, "the build ended before its kernels ran"
            try:
                family = parent.children(recursive=True)
                kernels = [p for p in family if "ipykernel" in " ".join(p.cmdline())]
            except psutil.NoSuchProcess:
                continue
        assert len(kernels) == 2, "no two kernels started in time"
        time.sleep(2)  # the workers are inside a notebook (the sleeping cell)
        family = parent.children(recursive=True)
        assert len(family) >= 4  # two workers, two kernels
    finally:
        build.kill()  # kill -9: no handler, no finaliser runs in the build
        build.wait()
    gone_by = time.monotonic() + 10
    while time.monotonic() < gone_by and any(_alive(p) for p in family):
        time.sleep(0.2)
    survivors = [f"{p.pid} {' '.join(p.cmdline())[:80]}" for p in family if _alive(p)]
    for p in family:  # never leave them behind, even when the test fails
        if _alive(p):
            p.kill()
    assert survivors == []
    # The workers were forked holding the build lock's file: with them gone, the next build may start
    # (within the same grace as the processes themselves: the lock goes when the last one is reaped).
    from finsam.build import BuildLockedError, build_lock

    locked_until = time.monotonic() + 10
    while True:
        try:
            with build_lock(tmp_path / "reports"):
                break
        except BuildLockedError:
            if time.monotonic() > locked_until:
                raise
            time.sleep(0.2)


# ---------------------------------------------------------------------------
# a write error (full disk, file size limit) never leaves a half-written page
_WRITE_PAGES_LIMITED = """
import resource, signal, sys
from pathlib import Path
from finsam._atomic import os_error_text
from finsam.io import load_dataset
from finsam.settings import DEFAULT_SETTINGS
from finsam.site import write_pages

root = Path(sys.argv[1])
dataset = load_dataset(root / "data")
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing the process
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    write_pages(dataset, DEFAULT_SETTINGS, root)
except OSError as exc:
    print("FEL:", os_error_text(exc))
    sys.exit(1)
"""


def _pages(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "reports").rglob("*")) if p.is_file()}


def test_a_write_error_while_writing_pages_leaves_each_page_whole(tmp_path):
    """A real write error (the kernel's file size limit: EFBIG after part of the bytes) in the middle of the pages."""
    import subprocess
    import sys

    from finsam.io import load_dataset
    from finsam.settings import DEFAULT_SETTINGS
    from finsam.site import write_pages

    old_root, new_root = tmp_path / "proj", tmp_path / "expected"
    _copy_valid(old_root / "data")
    write_pages(load_dataset(old_root / "data"), DEFAULT_SETTINGS, old_root)
    old = _pages(old_root)
    # Other names: the explorer's labels change.
    names = old_root / "data" / "forbund.csv"
    names.write_text(names.read_text(encoding="utf-8").replace("Samordningsförbundet", "Förbundet"), encoding="utf-8")
    # One more answering participant of beta 2023: "answered" in the 2023 results tables changes.
    part = old_root / "data" / "participation.csv"
    assert "2023,beta,deltagare_pagaende,56,4,40" in part.read_text(encoding="utf-8")
    part.write_text(part.read_text(encoding="utf-8").replace("2023,beta,deltagare_pagaende,56,4,40",
                                                             "2023,beta,deltagare_pagaende,56,4,41"), encoding="utf-8")
    shutil.copytree(old_root, new_root)
    write_pages(load_dataset(new_root / "data"), DEFAULT_SETTINGS, new_root)
    new = _pages(new_root)
    changed = sorted(k for k in new if old.get(k) != new[k])
    big = [k for k in changed if len(new[k]) > 20_000]
    assert big and len(changed) > len(big)  # some pages fit under the limit, some do not
    proc = subprocess.run([sys.executable, "-c", _WRITE_PAGES_LIMITED, str(old_root), "20000"],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FEL: filen blev större än vad som får skrivas" in proc.stdout
    after = _pages(old_root)
    assert not [k for k in after if k not in old and k not in new]  # no temporary file left
    for key, data in after.items():
        assert data == old.get(key) or data == new.get(key), key  # whole: the old page or the new one
    for key in big:
        assert after[key] == old[key], key


def test_a_full_disk_is_named_in_swedish():
    """ENOSPC as the kernel reports it (/dev/full), in the words the build and the command line use."""
    from finsam._atomic import os_error_text

    if not os.path.exists("/dev/full"):
        pytest.skip("/dev/full finns inte här")
    with pytest.raises(OSError) as err:
        with open("/dev/full", "wb", buffering=0) as fh:
            fh.write(b"x")
    assert os_error_text(err.value) == "disken är full; frigör utrymme och kör igen"
