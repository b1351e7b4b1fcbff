"""CPU time of the figures of one report, replayed (issue 17).

Records every call of the figure functions of :mod:`finsam.figures` while a
report template runs (as ``profile_report.py`` runs it), then replays those
calls ``--rounds`` times and prints the smallest CPU time per function (the
minimum is the steadiest figure on a busy machine) and the PNG bytes.

Usage::

    python benchmarks/figures_bench.py forbund --forbund sundsvall --year 2023
    python benchmarks/figures_bench.py riket --year 2023 --rounds 5
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

FUNCTIONS = ("class_bars", "trend_grid", "funnel", "spine_chart", "tartan")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=("forbund", "riket", "indikator"))
    ap.add_argument("--forbund", default="sundsvall")
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--rounds", type=int, default=3)
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

    best: dict[str, float] = {}
    size = 0
    for _ in range(args.rounds):
        spent: dict[str, float] = {}
        size = 0
        for name, a, kw in calls:
            t = time.process_time()
            fig = getattr(figures, name)(*a, **kw)
            spent[name] = spent.get(name, 0.0) + time.process_time() - t
            size += len(fig.png)
        for name, s in spent.items():
            best[name] = min(best.get(name, s), s)
    counts = {name: sum(1 for c in calls if c[0] == name) for name in best}
    for name, s in best.items():
        print(f"{name}: {counts[name]} figures, {s:.3f} s CPU (min of {args.rounds})")
    print(f"figures_cpu_s: {sum(best.values()):.3f}")
    print(f"figures_png_kib: {size / 1024:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
