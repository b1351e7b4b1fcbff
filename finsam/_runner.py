"""Execute report jobs with papermill: one job, or many in a pool of warm kernels.

A job's output is written atomically (temporary file, then rename): a failure
leaves the previous good output untouched and keeps the partial notebook, with
papermill's error banner, under ``reports/_failed/`` (Quarto skips ``_`` paths).

Executed notebooks are made deterministic: no timing metadata, fixed ids for
the cells we add, paths relative to the project.
"""

from __future__ import annotations

import copy
import logging
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import nbformat
import psutil

from ._atomic import atomic_path, atomic_write_text
from ._kernel import KERNEL_NAME, KernelStartError, WarmKernel, is_start_failure, register_engine

#: Cell timeout in seconds (a hanging cell fails its job instead of the build).
CELL_TIMEOUT = 900
#: A warm kernel is restarted after this many notebooks (bounds memory growth).
RESTART_EVERY = 64
#: Sub-directory of ``reports/`` for partial notebooks of failed jobs.
FAILED_DIR = "_failed"
#: Tag papermill puts on the cell with the injected parameters.
INJECTED_TAG = "injected-parameters"
#: Quarto drops cells with this tag (code and output) from the rendered page.
HIDE_TAG = "remove-cell"

_TIMING_KEYS = ("start_time", "end_time", "duration", "exception")


@dataclass(frozen=True)
class Job:
    """One notebook to execute.

    Attributes
    ----------
    kind : {"forbund", "riket", "indikator"}
    key : str
        Output path relative to ``reports/``, e.g. ``"2023/sundsvall.ipynb"``.
    label : str
        Short Swedish label for progress lines, e.g. ``"2023 sundsvall"``.
    template : str
        Absolute path of the template notebook.
    template_label : str
        The template as recorded in the output's metadata (relative if possible).
    parameters : dict
        Papermill parameters (plain Python values, never strings for numbers).
    front_matter : str
        Text of the raw front-matter cell (``---`` YAML ``---``).
    digest : str
        Hash of the job's inputs (incremental build).
    """

    kind: str
    key: str
    label: str
    template: str
    template_label: str
    parameters: dict
    front_matter: str
    digest: str = ""


@dataclass(frozen=True)
class JobError:
    """Why a job failed."""

    ename: str
    evalue: str
    cell_source: str = ""
    cell_number: int | None = None
    partial: str | None = None


@dataclass(frozen=True)
class Outcome:
    """Result of one job."""

    key: str
    ok: bool
    seconds: float
    error: JobError | None = None
    attempts: int = 1


@dataclass
class RunOptions:
    """Where and how jobs run (picklable, sent to every worker)."""

    reports_dir: str
    cwd: str
    warm: bool = True
    modules: tuple[str, ...] = ()
    cell_timeout: int = CELL_TIMEOUT
    restart_every: int = RESTART_EVERY
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# notebook preparation and finalisation
# ---------------------------------------------------------------------------
_TEMPLATES: dict[tuple[str, int], nbformat.NotebookNode] = {}


def load_template(path: str | Path) -> nbformat.NotebookNode:
    """Read a template (cached per process); give cells without an id a fixed one.

    nbformat 4.5 requires cell ids; upgrading an older notebook would make
    random ones, so outputs would differ from run to run.
    """
    path = str(path)
    key = (path, os.stat(path).st_mtime_ns)
    nb = _TEMPLATES.get(key)
    if nb is None:
        nb = nbformat.read(path, as_version=4)
        if nb.nbformat_minor < 5:
            nb.nbformat_minor = 5
        for i, cell in enumerate(nb.cells):
            if not cell.get("id"):
                cell["id"] = f"cell-{i}"
        _TEMPLATES[key] = nb
    return copy.deepcopy(nb)


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stream outputs of the same stream into one.

    The kernel flushes ``print`` output on a timer, so one ``print("x")`` can
    arrive as ``"x"`` + ``"\\n"`` or as ``"x\\n"`` depending on timing; merging
    makes the stored notebook independent of that race.
    """
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (
            out.get("output_type") == "stream" and prev is not None
            and prev.get("output_type") == "stream" and prev.get("name") == out.get("name")
        ):
            prev["text"] = prev["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def finalize(nb: nbformat.NotebookNode, job: Job) -> nbformat.NotebookNode:
    """Make an executed notebook deterministic and ready for Quarto.

    Drops timing metadata, merges stream outputs that the kernel happened to
    split (see :func:`coalesce_streams`), records template and output paths
    relative to the project, tags the injected-parameters cell ``remove-cell`` (Quarto leaves it
    out) and inserts the front matter as the first cell (raw, YAML), merged over
    a front-matter cell the template may have.
    """
    pm = nb.metadata.get("papermill", {})
    for k in _TIMING_KEYS:
        pm.pop(k, None)
    pm["input_path"] = job.template_label
    pm["output_path"] = f"reports/{job.key}"
    nb.metadata["papermill"] = pm
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
        tags = cell.metadata.get("tags", [])
        if INJECTED_TAG in tags:
            cell["id"] = INJECTED_TAG
            if HIDE_TAG not in tags:
                cell.metadata["tags"] = [*tags, HIDE_TAG]
    front = job.front_matter
    if nb.cells and nb.cells[0].cell_type == "raw" and nb.cells[0].source.lstrip().startswith("---"):
        front = _merge_front_matter(nb.cells[0].source, front)
        del nb.cells[0]
    cell = nbformat.v4.new_raw_cell(front)
    cell["id"] = "front-matter"
    nb.cells.insert(0, cell)
    return nb


def _merge_front_matter(template_text: str, ours: str) -> str:
    import yaml

    def body(text: str) -> dict:
        parts = text.strip().split("---")
        return (yaml.safe_load(parts[1]) if len(parts) >= 3 else {}) or {}

    merged = {**body(template_text), **body(ours)}
    text = yaml.safe_dump(merged, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)
    return f"---\n{text}---"


# ---------------------------------------------------------------------------
# one job
# ---------------------------------------------------------------------------
def _quiet_logs() -> None:
    # Parameter names are checked before execution; papermill's warnings would only repeat them.
    logging.getLogger("papermill").setLevel(logging.ERROR)


def _execute(job: Job, options: RunOptions, out: Path, kernel: WarmKernel | None) -> nbformat.NotebookNode:
    import papermill as pm

    kwargs = dict(
        parameters=job.parameters,
        kernel_name=KERNEL_NAME,
        language="python",  # a stripped template may have no kernelspec/language_info
        progress_bar=False,
        request_save_on_cell_execute=False,
        cwd=options.cwd,
        record_timing=False,
        execution_timeout=options.cell_timeout,
    )
    if kernel is not None:
        kwargs.update(engine_name=register_engine(), warm_kernel=kernel)
    return pm.execute_notebook(load_template(job.template), str(out), **kwargs)


def _cell_error(exc, job: Job, partial: str | None) -> JobError:
    return JobError(
        ename=str(exc.ename),
        evalue=str(exc.evalue),
        cell_source=str(exc.source or ""),
        cell_number=exc.exec_count,
        partial=partial,
    )


def run_job(job: Job, options: RunOptions, kernel: WarmKernel | None = None) -> Outcome:
    """Execute one job and write its output atomically.

    With ``kernel`` the notebook runs in that warm kernel, otherwise papermill
    starts a fresh kernel. A failed kernel start is retried once.
    """
    from papermill.exceptions import PapermillExecutionError

    _quiet_logs()
    reports = Path(options.reports_dir)
    target = reports / job.key
    failed = reports / FAILED_DIR / job.key
    start = time.perf_counter()
    attempts = 0
    while True:
        attempts += 1
        try:
            if kernel is not None and (kernel.km is None or kernel.runs >= options.restart_every or not kernel.alive):
                kernel.restart()
            with atomic_path(target) as tmp:
                try:
                    nb = _execute(job, options, tmp, kernel)
                except PapermillExecutionError as exc:
                    partial = _keep_partial(tmp, failed, job)
                    raise _JobFailed(_cell_error(exc, job, partial)) from exc
                tmp.write_text(nbformat.writes(finalize(nb, job)), encoding="utf-8")
            if failed.exists():
                failed.unlink()
            return Outcome(job.key, True, time.perf_counter() - start, attempts=attempts)
        except _JobFailed as exc:
            if kernel is not None:
                kernel.shutdown()  # restarted before the next job: nothing can leak
            return Outcome(job.key, False, time.perf_counter() - start, exc.error, attempts)
        except Exception as exc:  # noqa: BLE001 - fault isolation: report, don't crash the build
            if kernel is not None:
                kernel.shutdown()
            if attempts == 1 and is_start_failure(exc) and not isinstance(exc, KernelStartError):
                continue
            error = JobError(ename=type(exc).__name__, evalue=str(exc))
            return Outcome(job.key, False, time.perf_counter() - start, error, attempts)


class _JobFailed(Exception):
    def __init__(self, error: JobError):
        super().__init__(error.evalue)
        self.error = error


def _keep_partial(tmp: Path, failed: Path, job: Job) -> str | None:
    """Save the partial notebook papermill wrote on error; return its path."""
    try:
        if not tmp.exists() or tmp.stat().st_size == 0:
            return None
        nb = nbformat.read(tmp, as_version=4)
        atomic_write_text(failed, nbformat.writes(finalize(nb, job)))
        return f"reports/{FAILED_DIR}/{job.key}"
    except Exception:  # noqa: BLE001 - the partial copy is a courtesy
        return None


# ---------------------------------------------------------------------------
# worker pool
# ---------------------------------------------------------------------------
_WORKER: dict = {}


#: prctl(2) option: the signal this process gets when its parent dies (Linux).
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Linux: make this worker get SIGTERM when the build process dies, also on ``kill -9``.

    Without it an orphaned worker would wait for jobs forever, holding its
    kernel. The SIGTERM handler (:func:`_terminate`) takes the kernels along.
    """
    signal.signal(signal.SIGTERM, _terminate)
    if not sys.platform.startswith("linux"):  # pragma: no cover - no prctl
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc/musl
        return
    if os.getppid() != parent:  # the build died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _terminate(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    """SIGTERM in a worker: kill its kernels (warm or papermill's own) at once, then exit."""
    for child in psutil.Process().children():
        try:
            child.kill()
        except psutil.Error:
            pass
    kernel = _WORKER.get("kernel")
    ipc = getattr(kernel, "_ipc_dir", None)
    if ipc:
        shutil.rmtree(ipc, ignore_errors=True)
    os._exit(128 + signum)


def _init_worker(options: RunOptions, parent: int | None = None) -> None:
    if parent is not None:
        _die_with_parent(parent)
    _quiet_logs()
    _WORKER["options"] = options
    kernel = None
    if options.warm:
        kernel = WarmKernel(options.cwd, options.modules)
        multiprocessing.util.Finalize(None, kernel.shutdown, exitpriority=10)
        try:
            kernel.start()
        except Exception:  # noqa: BLE001 - retried (and reported) by the first job
            kernel.shutdown()
    _WORKER["kernel"] = kernel


def _ping() -> bool:
    return True


def _work(job: Job) -> Outcome:
    return run_job(job, _WORKER["options"], _WORKER.get("kernel"))


def run_jobs(
    jobs: Iterable[Job],
    options: RunOptions,
    workers: int,
    on_done: Callable[[Job, Outcome], None] | None = None,
    while_starting: Callable[[], None] | None = None,
) -> list[Outcome]:
    """Run ``jobs`` in ``workers`` processes, each with its own (warm) kernel.

    Results arrive in completion order; ``on_done`` is called for each in the
    calling process. A crashed worker fails its job, not the build.
    ``while_starting`` runs in the calling process while the workers start
    their kernels (e.g. to fill a cache the notebooks read); jobs are
    submitted after it returns.
    """
    jobs = list(jobs)
    if not jobs:
        return []
    workers = max(1, min(workers, len(jobs)))
    outcomes: list[Outcome] = []
    # fork on Linux: no re-import of the caller's main module (scripts without a
    # ``__main__`` guard work) and fast start; the parent starts no threads before.
    ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(options, os.getpid())) as pool:
        for _ in range(workers):  # starts the workers, whose initializer starts the kernels
            pool.submit(_ping)
        if while_starting is not None:
            while_starting()
        futures = {pool.submit(_work, job): job for job in jobs}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                outcome = fut.result()
            except Exception as exc:  # noqa: BLE001 - e.g. a worker killed by the OS
                outcome = Outcome(job.key, False, 0.0, JobError(type(exc).__name__, str(exc)))
            outcomes.append(outcome)
            if on_done is not None:
                on_done(job, outcome)
    return outcomes
