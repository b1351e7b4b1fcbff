"""The build's progress lines and its Swedish summary (printed by the command line)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ._runner import Job, JobError, Outcome

#: Lines of a failing cell's source shown in the summary.
SOURCE_LINES = 6


def _sv(x: float, decimals: int = 1) -> str:
    return f"{x:.{decimals}f}".replace(".", ",")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{_sv(seconds)} s"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s} s"


class _Progress:
    """One tqdm bar on a terminal, plain lines otherwise (CI logs)."""

    def __init__(self, total: int, enabled: bool, echo: Callable[[str], None]):
        self.echo = echo
        self.total = total
        self.done = 0
        self.enabled = enabled
        self.bar = None
        if enabled and total and sys.stderr.isatty():
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
            self.bar = tqdm(total=total, unit="rapport", file=sys.stderr, dynamic_ncols=True)

    def __call__(self, job: Job, outcome: Outcome) -> None:
        self.done += 1
        status = "klar" if outcome.ok else "MISSLYCKADES"
        line = f"[{self.done}/{self.total}] {job.label} {status} ({_sv(outcome.seconds)} s)"
        if self.bar is not None:
            self.bar.set_postfix_str(f"{job.label} {status}", refresh=False)
            self.bar.update(1)
            if not outcome.ok:
                self.bar.write(line, file=sys.stderr)
        elif self.enabled:
            self.echo(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _failure_text(key: str, job: Job | None, err: JobError) -> list[str]:
    lines = [f"  reports/{key}" + (f" (mall {job.template_label})" if job else "")]
    if err.cell_source:
        lines.append(f"    Cell [{err.cell_number}]:" if err.cell_number else "    Cell:")
        src = err.cell_source.rstrip().splitlines()
        lines += [f"      {s}" for s in src[:SOURCE_LINES]]
        if len(src) > SOURCE_LINES:
            lines.append(f"      … ({len(src) - SOURCE_LINES} rader till)")
    lines.append(f"    Fel: {err.ename}: {err.evalue}".rstrip(": "))
    if err.partial:
        lines.append(f"    Delvis körd notebook: {err.partial}")
    return lines


def _plural(n: int, singular: str, plural: str) -> str:
    """``1 rapport körd``, ``3 rapporter körda``."""
    return f"{n} {singular if n == 1 else plural}"


def _summary(result, jobs: dict[str, Job]) -> str:
    lines = [
        f"Klart på {_duration(result.seconds)}: "
        + _plural(len(result.executed), "rapport körd", "rapporter körda") + ", "
        + _plural(len(result.skipped), "oförändrad", "oförändrade") + f", {len(result.failed)} misslyckades."
    ]
    if result.failed:
        lines.append("Misslyckade rapporter (tidigare version, om någon, finns kvar):")
        for key in sorted(result.failed):
            lines += _failure_text(key, jobs.get(key), result.failed[key])
    return "\n".join(lines)
