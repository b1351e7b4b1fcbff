"""Benchmark ``finsam build`` against a naive sequential papermill loop.

Builds the demo data (notebooks only, no Quarto) into a temporary root, then
runs a sample of the same jobs the naive way — one ``papermill.execute_notebook``
call after another, each with a fresh kernel — and finally a no-op rebuild in a
new Python process (interpreter start, imports, data loading and hashing
included). Prints one metric per line.

Definitions
-----------
* ``parallel_per_report_s`` = build wall time / jobs executed (throughput of
  the parallel warm-kernel build, including worker and kernel start-up).
* ``naive_median_s`` = median wall time of one naive papermill call.
* ``speedup`` = naive_median_s / parallel_per_report_s.
* ``peak_rss_tree_mb``: largest sum of the resident memory of this process and
  all its descendants (workers and kernels), sampled every 0.2 s (Linux);
  ``peak_rss_self_mb`` / ``peak_rss_children_mb``: ``getrusage`` maxima (the
  largest single process).

The statistics cache of :mod:`finsam.report` lives in a temporary directory:
the build starts cold (its one-off computation is counted) and the naive loop
runs afterwards with the cache warm, which favours the naive loop.

Usage::

    python benchmarks/build.py                       # the whole demo
    python benchmarks/build.py --years 2023 --forbund blekinge --forbund finnveden --sample 3   # CI subset
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _tree_rss_bytes(root_pid: int) -> int:
    """Sum of RSS of ``root_pid`` and its descendants (Linux /proc; 0 elsewhere)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            rss[pid] = int(fields[21]) * page
            children.setdefault(ppid, []).append(pid)
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total


class _PeakSampler:
    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss_bytes(os.getpid()))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _sv(x: float) -> str:
    return f"{x:.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=None, help="data directory (default: the demo data)")
    ap.add_argument("--years", type=int, nargs="*", default=[], help="only these years")
    ap.add_argument("--forbund", action="append", default=[], help="only these förbund (repeatable; 'riket' too)")
    ap.add_argument("--sample", type=int, default=6, help="jobs in the naive loop (default 6)")
    ap.add_argument("--jobs", type=int, default=None, help="workers (default: number of cores)")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="finsam-bench-"))
    os.environ["FINSAM_CACHE_DIR"] = str(tmp / "cache")

    import papermill

    from finsam import build as B
    from finsam.io import load_dataset

    dataset = load_dataset(args.data)
    root = tmp / "root"
    root.mkdir()
    print(f"data: {dataset.source}")
    print(f"cores: {os.cpu_count()}")
    print(f"workers: {args.jobs or os.cpu_count()}")

    t0 = time.perf_counter()
    with _PeakSampler() as sampler:
        result = B.build(dataset=dataset, root=root, years=args.years, forbund=args.forbund, jobs=args.jobs,
                         render=False, write_pages=False, progress=False)
    wall = time.perf_counter() - t0
    n = len(result.executed) + len(result.failed)
    print(f"jobs: {n}")
    print(f"failed: {len(result.failed)}")
    print(f"parallel_wall_s: {_sv(wall)}")
    per_report = wall / n if n else float("nan")
    print(f"parallel_per_report_s: {_sv(per_report)}")
    print(f"peak_rss_tree_mb: {sampler.peak / 2**20:.0f}")
    print(f"peak_rss_self_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
    print(f"peak_rss_children_mb: {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f}")

    # naive loop: a fresh kernel per notebook, one after another, same jobs
    jobs = B.plan_jobs(dataset, settings=B.DEFAULT_SETTINGS, templates=B._templates(None), root=root,
                       years=args.years, forbund=args.forbund)
    k = max(1, min(args.sample, len(jobs)))
    sample = [jobs[round(i * (len(jobs) - 1) / max(1, k - 1))] for i in range(k)] if k > 1 else jobs[:1]
    naive_dir = tmp / "naive"
    naive_dir.mkdir()
    times = []
    for job in sample:
        t = time.perf_counter()
        papermill.execute_notebook(job.template, str(naive_dir / job.key.replace("/", "_")),
                                   parameters=job.parameters, kernel_name="python3", progress_bar=False,
                                   cwd=str(root))
        times.append(time.perf_counter() - t)
    naive = statistics.median(times)
    print(f"naive_sample: {len(times)} ({', '.join(j.key for j in sample)})")
    print(f"naive_median_s: {_sv(naive)}")
    print(f"naive_estimated_total_s: {_sv(naive * n)}")
    print(f"speedup: {naive / per_report:.1f}")

    # no-op rebuild in a new process: interpreter, imports, loading, hashing
    code = (
        "import sys; from finsam.build import build; "
        f"r = build({args.data!r}, root={str(root)!r}, years={args.years!r}, forbund={args.forbund!r}, "
        "render=False, write_pages=False, progress=False); sys.exit(len(r.executed))"
    )
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    noop = time.perf_counter() - t
    print(f"noop_rebuild_s: {_sv(noop)}  (loads, validates and hashes the data; records the inputs)")
    print(f"noop_rebuild_executed: {proc.returncode}")
    # Again: now the inputs' bytes and the outputs match the recorded build, so it stops before reading the data.
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    quick = time.perf_counter() - t
    print(f"noop_quick_s: {_sv(quick)}  (target < 3 whole demo, < 2 one year)")
    print(f"noop_quick_executed: {proc.returncode}")

    # Targets of issues 7 and 17, judged on this run's numbers.
    whole = not args.years and not args.forbund
    one_year = len(args.years) == 1 and not args.forbund
    speedup = naive / per_report
    print(f"target_speedup_5x: {_met(speedup >= 5)}  ({speedup:.1f}, target ≥ 5)")
    if whole or one_year:
        limit = 3.0 if whole else 2.0
        scope = "whole demo" if whole else "one year"
        print(f"target_noop_rebuild: {_met(quick < limit and proc.returncode == 0)}  "
              f"({_sv(quick)} s < {limit:.0f} s, {scope}; the rebuild with recorded inputs)")
    else:
        print("target_noop_rebuild: not judged (only for the whole demo or one whole year)")
    peak_mb = sampler.peak / 2**20
    print(f"target_peak_rss_2gb: {_met(peak_mb < 2048)}  ({peak_mb:.0f} MB < 2048 MB)")
    return 0


def _met(ok: bool) -> str:
    return "met" if ok else "not met"


if __name__ == "__main__":
    sys.exit(main())
