"""Where the time of one report goes, as in a warm kernel.

Runs the cells of a report template in this process the way a warm kernel of
``finsam build`` does: the imports and the results cache are warmed first (a
warm kernel has them), then every code cell runs with its parameters and each
displayed object is turned into its Jupyter representation (HTML, Markdown,
PNG …) by IPython's display formatter, since that is part of a cell's cost.
Prints the wall and CPU time per cell (section; CPU time is the steadier
figure on a busy machine) and, with ``--top N``, the functions
with the largest cumulative time (cProfile).

Usage::

    python benchmarks/profile_report.py forbund --forbund sundsvall --year 2023
    python benchmarks/profile_report.py riket --year 2023 --top 25
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _cells(kind: str) -> list[str]:
    nb = json.loads((REPO / "notebooks" / f"{kind}.ipynb").read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"]
            if c["cell_type"] == "code" and "parameters" not in c.get("metadata", {}).get("tags", [])]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=("forbund", "riket", "indikator"))
    ap.add_argument("--forbund", default="sundsvall")
    ap.add_argument("--year", type=int, default=2023)
    ap.add_argument("--indicator", type=int, default=1)
    ap.add_argument("--top", type=int, default=0, help="print the N functions with the largest cumulative time")
    args = ap.parse_args(argv)

    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    shown = []

    def display(*objs, **_):
        for obj in objs:
            shown.append(formatter.format(obj))

    params = {"forbund": args.forbund, "year": args.year, "indicator": args.indicator, "data_dir": "",
              "settings": {}}
    # Warm: imports and the results cache, as a warm kernel has them.
    import IPython.display

    IPython.display.display = display
    from finsam.cache import load_results

    t = time.perf_counter()
    load_results("", {})
    print(f"warm-up (imports excluded, results cache): {time.perf_counter() - t:.2f} s")

    cells = _cells(args.kind)
    warm = dict(params, display=display)
    for src in cells:  # one untimed run: module-level caches, fonts, matplotlib set-up
        exec(compile(src, "<cell>", "exec"), warm)
    ns = dict(params, display=display)
    profiler = cProfile.Profile()
    total = cpu = 0.0
    for k, src in enumerate(cells, 1):
        first = next((line for line in src.splitlines() if line and not line.startswith(("#", "from", "import"))), "")
        t, c = time.perf_counter(), time.process_time()
        if args.top:
            profiler.enable()
        exec(compile(src, f"<cell {k}>", "exec"), ns)
        if args.top:
            profiler.disable()
        dt, dc = time.perf_counter() - t, time.process_time() - c
        total += dt
        cpu += dc
        print(f"cell {k}: {dt:6.3f} s wall {dc:6.3f} s CPU  {first[:70]}")
    print(f"total: {total:.3f} s wall, {cpu:.3f} s CPU, for {len(shown)} displayed objects")
    if args.top:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
