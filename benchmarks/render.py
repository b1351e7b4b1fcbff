"""Benchmark the Quarto render of the site against a one-paragraph page.

In one run, on the demo data (or a subset of its years) in a temporary project:

1. the notebook phase: ``finsam build`` without rendering (all reports);
2. the whole site rendered by :func:`finsam.render.render` (what ``finsam build``
   does after the notebooks), next to the notebook phase;
3. per report, to HTML and to PDF (Typst): a sample of reports, each rendered
   alone by ``quarto render --to html`` and ``--to typst`` in a private copy of
   the project that renders just that file (as the render processes of
   ``finsam build`` do), against the baseline: a notebook page holding one
   paragraph, rendered the same way by the same Quarto in the same project;
4. a one-förbund data change: one count of one förbund's latest year changed in
   ``responses.csv``, then ``finsam build`` (notebooks and render) end to end;
5. a no-op ``finsam build`` with rendering (nothing changed).

Every figure is a wall-clock time of this machine in this run; the ratios are
what carries over to other machines. One metric per line.

Usage::

    python benchmarks/render.py                    # the whole demo
    python benchmarks/render.py --years 2023 2024  # a subset of years
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SITE_FILES = ("_quarto.yml", "theme.scss", "index.qmd", "metod.qmd", "data.qmd")
BASELINE = "reports/baslinje/sida.ipynb"


def _sv(x: float) -> str:
    return f"{x:.2f}"


def _baseline_notebook(front_matter_of: Path) -> dict:
    """A notebook page with one paragraph and a report's own format options (HTML + Typst)."""
    import nbformat

    from finsam.site import read_front_matter

    fm = read_front_matter(front_matter_of)
    head = {k: fm[k] for k in ("format", "format-links", "lang") if k in fm}
    import yaml

    first = "---\n" + yaml.safe_dump({"title": "Baslinje", **head}, allow_unicode=True, sort_keys=False) + "---"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_raw_cell(first),
                nbformat.v4.new_markdown_cell("Ett stycke text och inget mer, för att mäta Quartos grundkostnad.")]
    return json.loads(nbformat.writes(nb))


def _render_alone(root: Path, rel: str, quarto: str, to: str) -> float:
    """Seconds for ``quarto render --to TO`` of ``rel`` alone, in a private copy of the project."""
    from finsam import render as R

    work = root / R.WORK_DIR / "bench"
    R._working_copy(root, work, [rel])
    t = time.perf_counter()
    proc = subprocess.run([quarto, "render", "--to", to, "--quiet"], cwd=work, capture_output=True, text=True,
                          env=R.quarto_env())
    seconds = time.perf_counter() - t
    shutil.rmtree(work, ignore_errors=True)
    if proc.returncode:
        raise SystemExit(f"quarto render --to {to} {rel} failed:\n{proc.stderr[-2000:]}")
    return seconds


def _change_one_count(data_dir: Path) -> str:
    """Move one answer of the latest year's first förbund to another answer code; returns 'förbund år'.

    The number of answers per question stays the same, so the data stay valid.
    """
    path = data_dir / "responses.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    col = {name: header.index(name) for name in ("year", "forbund", "group", "question", "gender", "answer", "count")}
    latest = max(int(r[col["year"]]) for r in body)
    target = sorted(r[col["forbund"]] for r in body if int(r[col["year"]]) == latest)[0]
    cell = ("year", "forbund", "group", "question", "gender")
    mine = [r for r in body if int(r[col["year"]]) == latest and r[col["forbund"]] == target]
    src = next(r for r in mine if int(r[col["count"]]) > 0 and any(
        o is not r and all(o[col[c]] == r[col[c]] for c in cell) for o in mine))
    dst = next(o for o in mine if o is not src and all(o[col[c]] == src[col[c]] for c in cell))
    src[col["count"]] = str(int(src[col["count"]]) - 1)
    dst[col["count"]] = str(int(dst[col["count"]]) + 1)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header] + body)
    return f"{target} {latest}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, nargs="*", default=[], help="only these years (default: all)")
    ap.add_argument("--sample", type=int, default=3, help="reports rendered alone (default 3)")
    ap.add_argument("--jobs", type=int, default=None, help="processes (default: number of cores)")
    args = ap.parse_args(argv)
    quarto = shutil.which("quarto")
    if quarto is None:
        raise SystemExit("quarto is not on PATH")

    from finsam import build as B
    from finsam import render as R
    from finsam._paths import DEMO_DIR

    tmp = Path(tempfile.mkdtemp(prefix="finsam-render-bench-"))
    os.environ["FINSAM_CACHE_DIR"] = str(tmp / "cache")
    root = tmp / "root"
    root.mkdir()
    for name in SITE_FILES:
        shutil.copy(REPO / name, root / name)
    data = root / "data"
    shutil.copytree(DEMO_DIR, data)
    if args.years:  # a subset: keep only those years in the data
        for name in ("responses.csv", "participation.csv"):
            with open(data / name, encoding="utf-8", newline="") as fh:
                rows = list(csv.reader(fh))
            iy = rows[0].index("year")
            with open(data / name, "w", encoding="utf-8", newline="") as fh:
                csv.writer(fh, lineterminator="\n").writerows(
                    [rows[0]] + [r for r in rows[1:] if int(r[iy]) in args.years])
    jobs = args.jobs or os.cpu_count() or 1
    print(f"quarto: {R.quarto_version(quarto)}")
    print(f"cores: {os.cpu_count()}")
    print(f"processes: {jobs}")

    t = time.perf_counter()
    built = B.build(data, root=root, jobs=jobs, render=False, progress=False)
    notebook_s = time.perf_counter() - t
    n = len(built.executed)
    print(f"reports: {n}")
    print(f"notebook_phase_s: {_sv(notebook_s)}")

    t = time.perf_counter()
    rendered = R.render(root, quarto=quarto, jobs=jobs)
    render_s = time.perf_counter() - t
    if rendered.failed:
        raise SystemExit(f"render failed: {sorted(rendered.failed)}")
    print(f"site_render_s: {_sv(render_s)} ({len(rendered.reports)} reports, {len(rendered.pages)} pages)")
    print(f"site_render_per_report_s: {_sv(render_s / max(1, len(rendered.reports)))}")
    print(f"site_render_pages_done_s: {_sv(rendered.timings.get('pages', 0))}")
    print(f"site_render_reports_done_s: {_sv(rendered.timings.get('reports', 0))}")
    print(f"site_render_vs_notebook_phase: {render_s / notebook_s:.2f}  (target < 1)")

    # Per report, alone, against the one-paragraph page.
    keys = sorted(built.executed)
    forbund = [k for k in keys if "/" in k and not k.startswith("indikatorer/") and not k.endswith("riket.ipynb")]
    k = max(1, min(args.sample, len(forbund)))
    sample = [forbund[round(i * (len(forbund) - 1) / max(1, k - 1))] for i in range(k)] if k > 1 else forbund[:1]
    baseline = root / BASELINE
    baseline.parent.mkdir(parents=True, exist_ok=True)
    baseline.write_text(json.dumps(_baseline_notebook(root / "reports" / sample[0]), ensure_ascii=False),
                        encoding="utf-8")
    base_html = statistics.median(_render_alone(root, BASELINE, quarto, "html") for _ in range(2))
    base_pdf = statistics.median(_render_alone(root, BASELINE, quarto, "typst") for _ in range(2))
    rep_html = statistics.median(_render_alone(root, f"reports/{key}", quarto, "html") for key in sample)
    rep_pdf = statistics.median(_render_alone(root, f"reports/{key}", quarto, "typst") for key in sample)
    baseline.unlink()
    shutil.rmtree(baseline.parent)
    print(f"sample: {', '.join(sample)}")
    print(f"baseline_page_html_s: {_sv(base_html)}")
    print(f"baseline_page_pdf_s: {_sv(base_pdf)}")
    print(f"report_html_s: {_sv(rep_html)}")
    print(f"report_pdf_s: {_sv(rep_pdf)}")
    print(f"report_vs_baseline_html: {rep_html / base_html:.2f}  (target <= 1.5)")
    print(f"report_vs_baseline_pdf: {rep_pdf / base_pdf:.2f}  (target <= 2)")

    # One förbund's data changed: build (notebooks + render) end to end, in a new process.
    changed = _change_one_count(data)
    code = ("import sys; from finsam.build import build; "
            f"r = build({str(data)!r}, root={str(root)!r}, jobs={jobs}, progress=False); "
            "sys.exit(r.exit_code)")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    change_s = time.perf_counter() - t
    if proc.returncode:
        raise SystemExit(f"build after the change failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    summary = [line for line in proc.stdout.splitlines() if line.startswith(("Klart", "Webbplatsen"))]
    print(f"one_forbund_change: {changed}")
    print(f"one_forbund_change_s: {_sv(change_s)}  (target < 60)")
    for line in summary:
        print(f"  {line}")

    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    print(f"noop_build_with_render_s: {_sv(time.perf_counter() - t)}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
