"""CPU time of the figures of one report, replayed (issue 17).

Records every call of the figure functions of :mod:`finsam.figures` while a
report template runs (as ``profile_report.py`` runs it), then replays those
calls ``--rounds`` times and prints the smallest CPU time per function (the
minimum is the steadiest figure on a busy machine) and the PNG bytes.

With ``--against REV`` the same calls also run with ``finsam/figures.py`` of
git revision ``REV``, interleaved with the current code in every round (an A/B
in one process, steady on a busy machine), and the PNGs are compared.

Usage::

    python benchmarks/figures_bench.py forbund --forbund sundsvall --year 2023
    python benchmarks/figures_bench.py riket --year 2023 --rounds 5 --against 4174c19
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

FUNCTIONS = ("class_bars", "trend_grid", "funnel", "spine_chart", "tartan")
REPO = Path(__file__).resolve().parents[1]


def _figures_at(rev: str):
    """``finsam/figures.py`` of git revision ``rev`` as a module inside the package (relative imports work)."""
    source = subprocess.run(["git", "show", f"{rev}:finsam/figures.py"], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="finsam-figures-")) / "figures.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("finsam._figures_ab", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _replay(module, calls) -> tuple[dict, list]:
    spent: dict[str, float] = {}
    pngs = []
    for name, a, kw in calls:
        t = time.process_time()
        fig = getattr(module, name)(*a, **kw)
        spent[name] = spent.get(name, 0.0) + time.process_time() - t
        pngs.append(fig.png)
    return spent, pngs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=("forbund", "riket", "indikator"))
    ap.add_argument("--forbund", default="sundsvall")
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--against", metavar="REV", help="also time figures.py of this git revision (A/B)")
    args = ap.parse_args(argv)

    from finsam import figures

    calls = []
    originals = {name: getattr(figures, name) for name in FUNCTIONS}

    def recorder(name):
        def record(*a, **kw):
            calls.append((name, a, kw))
            return originals[name](*a, **kw)
        return record

    for name in FUNCTIONS:
        setattr(figures, name, recorder(name))
    import profile_report

    with contextlib.redirect_stdout(io.StringIO()):
        profile_report.main([args.kind, "--forbund", args.forbund, "--year", str(args.year)])
    for name, fn in originals.items():
        setattr(figures, name, fn)
    calls = calls[len(calls) // 2:]  # the timed pass of profile_report (the first one warms up)

    variants = {"current": figures}
    if args.against:
        variants[args.against] = _figures_at(args.against)
    best: dict[str, dict[str, float]] = {v: {} for v in variants}
    pngs: dict[str, list] = {}
    for _ in range(args.rounds):
        for label, module in variants.items():
            spent, pngs[label] = _replay(module, calls)
            for name, s in spent.items():
                best[label][name] = min(best[label].get(name, s), s)
    counts: dict[str, int] = {}
    for name, _a, _kw in calls:
        counts[name] = counts.get(name, 0) + 1
    for label in variants:
        print(f"[{label}]")
        for name, s in best[label].items():
            print(f"{name}: {counts[name]} figures, {s:.3f} s CPU (min of {args.rounds})")
        print(f"figures_cpu_s: {sum(best[label].values()):.3f}")
        print(f"figures_png_kib: {sum(len(p) for p in pngs[label]) / 1024:.0f}")
    if args.against:
        same = sum(a == b for a, b in zip(pngs["current"], pngs[args.against]))
        ratio = sum(best[args.against].values()) / sum(best["current"].values())
        print(f"byte_identical_pngs: {same} of {len(calls)}")
        print(f"figures_speedup: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
