"""Execute the report notebooks, then write the site (``finsam build`` and ``finsam report``).

The build plans one job per förbund × year, one national report per year and
one page per questionnaire indicator (:mod:`finsam._plan`), skips jobs whose
input hash equals the one recorded after their last successful run
(``reports/.build-manifest.json``), and runs the rest in parallel worker
processes that each keep one warm Jupyter kernel (:mod:`finsam._runner`,
:mod:`finsam._kernel`). Each report is written atomically; a failed job leaves
the previous good output in place and is named in the summary with its failing
cell and error. Afterwards :func:`finsam.site.write_pages` writes the listing
pages and Quarto renders the site.

:attr:`BuildResult.exit_code` is 0 when every report ran (also when Quarto is
missing: the notebooks are done) and 1 when a report or the render failed;
invalid input raises a :class:`finsam.errors.FinsamError`. The command line
(:mod:`finsam.cli`) prints the summary and exits with the code.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import click

from typing import TYPE_CHECKING

from . import hashing
from ._atomic import atomic_write_text
from ._paths import NOTEBOOKS_DIR, REPO_ROOT
from .codes import INDICATOR_DIR, NATIONAL
from .errors import FinsamError, InputError
from .settings import DEFAULT_SETTINGS, Settings

if TYPE_CHECKING:  # the runner (papermill) and the statistics load only when a job runs
    from ._runner import Job, JobError, Outcome

#: Template file per report kind (in ``notebooks/``).
TEMPLATE_FILES = {"forbund": "forbund.ipynb", "riket": "riket.ipynb", "indikator": "indikator.ipynb"}
#: Kinds that must have a template; the indicator pages are built only if theirs exists.
REQUIRED_KINDS = ("forbund", "riket")
#: Parameters every template of a kind must declare (besides :data:`SETTINGS_PARAMETER`).
KIND_PARAMETERS = {
    "forbund": ("forbund", "year", "data_dir"),
    "riket": ("year", "data_dir"),
    "indikator": ("indicator", "data_dir"),
}
#: The one parameter that carries every setting (:meth:`finsam.settings.Settings.as_dict`).
SETTINGS_PARAMETER = "settings"
#: The manifest of input hashes of the last successful run of each job.
MANIFEST = ".build-manifest.json"
#: Lines of a failing cell's source shown in the summary.
SOURCE_LINES = 6

#: How to get Quarto (the ``quarto`` extra is defined in pyproject.toml, not on PyPI).
QUARTO_INSTALL = (
    "Installera Quarto från https://quarto.org/docs/get-started/ "
    '(eller `pip install -e ".[quarto]"` i finsam-katalogen, på en dator som når GitHub)'
)
QUARTO_MISSING = (
    "Quarto saknas (kommandot 'quarto' finns inte i PATH), så webbplatsen renderades inte; "
    "notebooks är klara i {reports}.\n" + QUARTO_INSTALL + " och kör sedan `quarto render` i {root}."
)


class BuildInputError(InputError):
    """Invalid options or templates (exit code 2); the message is in Swedish."""


class BuildLockedError(FinsamError):
    """Another build of the same project is running (exit code 2)."""


#: The lock file of a running build (in ``reports/``); it holds the build's process id.
LOCK_FILE = ".build.lock"
#: Temporary files of atomic writes (:func:`finsam._atomic.atomic_path`): ``.<name>.<8 random><suffix>``.
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}(\.[A-Za-z0-9]+)?")


@contextlib.contextmanager
def build_lock(reports: Path):
    """Hold the project's build lock (an advisory ``flock``, released by the kernel when the process dies).

    Raises
    ------
    BuildLockedError
        Another process holds it; the message names its process id.
    """
    reports.mkdir(parents=True, exist_ok=True)
    fd = os.open(reports / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "okänd"
            raise BuildLockedError(
                f"En annan build körs redan i {reports.parent} (process {pid}). "
                "Vänta tills den är klar och kör sedan igen.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)


def _remove_temporary(reports: Path) -> None:
    """Delete temporary files an interrupted build left (only called while holding the lock)."""
    for path in reports.rglob(".*"):
        if path.is_file() and _TEMPORARY.fullmatch(path.name):
            path.unlink(missing_ok=True)


@dataclass
class BuildResult:
    """What a build did.

    Attributes
    ----------
    planned : list of str
        Every job's output path relative to ``reports/`` (after filters).
    executed, skipped : list of str
        Jobs run, and jobs skipped because their inputs did not change.
    failed : dict
        Output path → :class:`finsam._runner.JobError`.
    seconds : float
        Wall time of the whole build.
    rendered : bool or None
        Whether Quarto rendered the site without failures (None: not attempted).
    render : finsam.render.RenderResult or None
        What the render did (reports and pages rendered, unchanged, failed).
    pruned, kept : list of str
        Reports of jobs that no longer exist: deleted (``prune``) or kept.
    exit_code : int
    summary : str
        The Swedish summary (printed by the command line).
    """

    planned: list[str] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, JobError] = field(default_factory=dict)
    seconds: float = 0.0
    rendered: bool | None = None
    exit_code: int = 0
    summary: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    pruned: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    render: object = None  # finsam.render.RenderResult of the site render, if any


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------
def _sv(x: float, decimals: int = 1) -> str:
    return f"{x:.{decimals}f}".replace(".", ",")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{_sv(seconds)} s"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s} s"


def _rel(path: Path, *bases: Path) -> str:
    path = Path(path).resolve()
    for base in bases:
        try:
            return path.relative_to(Path(base).resolve()).as_posix()
        except ValueError:
            continue
    return str(path)


def _templates(templates: dict | None) -> dict[str, Path]:
    """Template per kind: the given ones, else ``notebooks/``; check they exist."""
    if templates is None:
        found = {k: Path(NOTEBOOKS_DIR) / f for k, f in TEMPLATE_FILES.items()}
        missing = [str(found[k]) for k in REQUIRED_KINDS if not found[k].is_file()]
        if missing:
            raise BuildInputError("Notebookmallen saknas: " + ", ".join(missing))
        return {k: p for k, p in found.items() if p.is_file()}
    out = {k: Path(v) for k, v in templates.items() if v is not None}
    unknown = sorted(set(out) - set(TEMPLATE_FILES))
    missing = [str(p) for p in out.values() if not p.is_file()]
    if unknown or missing:
        raise BuildInputError(
            "Ogiltiga mallar: " + "; ".join([f"okänd rapporttyp {u!r}" for u in unknown] + [f"filen {m} finns inte" for m in missing])
        )
    return out


def _declared_parameters(template: Path) -> set[str]:
    import papermill

    return set(papermill.inspect_notebook(str(template)))


def _template_imports(paths) -> list[str]:
    """Modules the templates import (pre-imported in the warm kernels)."""
    import nbformat

    names: list[str] = []
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            src = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
            try:
                tree = ast.parse(src)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names += [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    # ``from finsam.reports import forbund``: forbund is a module.
                    names += [node.module] + [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
    return list(dict.fromkeys(names))


def _data_dir_parameter(source, cwd: Path) -> str:
    """The data path as the notebooks get it: relative to the kernel's cwd when inside it."""
    path = Path(source).resolve()
    try:
        return path.relative_to(cwd.resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def _front_matter_text(front_matter: Callable, kind: str, dataset, **kw) -> str:
    from . import site

    fm = front_matter(kind, dataset, **kw)
    return site.front_matter_yaml(fm)


# ---------------------------------------------------------------------------
# planning
# ---------------------------------------------------------------------------
def _check_filters(dataset, years, forbund) -> None:
    problems = []
    have_years = [int(y) for y in dataset.years]
    bad_years = [y for y in years if int(y) not in have_years]
    if bad_years:
        problems.append(
            f"Okänt år: {', '.join(str(y) for y in bad_years)}. Data innehåller åren: "
            + ", ".join(str(y) for y in have_years)
        )
    ids = sorted(set(dataset.forbund["forbund"].astype(str)))
    bad = [f for f in forbund if f not in ids and f != NATIONAL]
    if bad:
        problems.append(
            f"Okänt förbund: {', '.join(bad)}. Förbund i data: {', '.join(ids)} (och '{NATIONAL}' för riksrapporten)"
        )
    if problems:
        raise BuildInputError("\n".join(problems))


def plan_jobs(
    dataset,
    *,
    settings: Settings,
    templates: dict[str, Path],
    root: Path,
    years=(),
    forbund=(),
    front_matter: Callable | None = None,
    catalog=None,
) -> list[Job]:
    """All jobs of a build (after the filters), each with its input digest.

    Raises
    ------
    BuildInputError
        Unknown years or förbund in the filters, or a template whose parameters
        do not match.
    """
    from .catalog import load_catalog

    if front_matter is None:
        from .site import front_matter
    catalog = catalog or load_catalog()
    _check_filters(dataset, years, forbund)
    root = Path(root)
    want_years = {int(y) for y in years} or {int(y) for y in dataset.years}
    want_forbund = set(forbund)
    data_dir = _data_dir_parameter(dataset.source, root)

    declared = {k: _declared_parameters(p) for k, p in templates.items()}
    problems = []
    for kind, names in declared.items():
        expected = set(KIND_PARAMETERS[kind]) | {SETTINGS_PARAMETER}
        unknown = sorted(expected - names)
        if unknown:
            problems.append(
                f"Mallen {templates[kind]} saknar parametrarna {', '.join(unknown)} "
                f"(parametercellen definierar: {', '.join(sorted(names)) or 'inga'})"
            )
    if problems:
        raise BuildInputError("\n".join(problems))

    from . import _plan
    from ._runner import Job

    code = _plan.code_fingerprint()
    digests = _plan.data_digests(dataset, catalog)
    base = {
        kind: hashing.sha256(code, hashing.file_digest(path), settings.fingerprint())
        for kind, path in templates.items()
    }
    labels = {kind: _rel(path, root, REPO_ROOT) for kind, path in templates.items()}

    def make(kind, key, label, params, fm, data_part) -> Job:
        params = {**params, SETTINGS_PARAMETER: settings.as_dict()}
        digest = hashing.sha256(base[kind], json.dumps(params, sort_keys=True), fm, data_part)
        return Job(kind, key, label, str(templates[kind]), labels[kind], params, fm, digest)

    jobs: list[Job] = []
    if "riket" in templates and (not want_forbund or NATIONAL in want_forbund):
        for y in sorted(want_years, reverse=True):
            fm = _front_matter_text(front_matter, "riket", dataset, year=y)
            jobs.append(
                make("riket", f"{y}/riket.ipynb", f"{y} riket", {"year": y, "data_dir": data_dir}, fm,
                     digests.years_part([y, y - 1]))
            )
    if "indikator" in templates and not years and not forbund:
        q = catalog.indicators
        for n in sorted(int(i) for i in q.loc[q["questionnaire"], "indicator"]):
            fm = _front_matter_text(front_matter, "indikator", dataset, indicator=n)
            jobs.append(
                make("indikator", f"{INDICATOR_DIR}/{n}.ipynb", f"indikator {n}",
                     {"indicator": n, "data_dir": data_dir}, fm, digests.years_part(dataset.years))
            )
    pairs = sorted(
        {(str(f), int(y)) for f, y in dataset.participation[["forbund", "year"]].itertuples(index=False)}
        | {(str(f), int(y)) for f, y in dataset.responses[["forbund", "year"]].itertuples(index=False)},
        key=lambda p: (-p[1], p[0]),
    )
    for f, y in pairs if "forbund" in templates else ():
        if y not in want_years or (want_forbund and f not in want_forbund):
            continue
        fm = _front_matter_text(front_matter, "forbund", dataset, year=y, forbund=f)
        jobs.append(
            make("forbund", f"{y}/{f}.ipynb", f"{y} {f}", {"forbund": f, "year": y, "data_dir": data_dir}, fm,
                 digests.forbund_part(f, y))
        )
    return jobs


# ---------------------------------------------------------------------------
# manifest
# ---------------------------------------------------------------------------
class _Manifest:
    """The input digest of each job's last successful run, and the record of the last complete build.

    ``quick`` holds, for the last build that ran every planned job and wrote the
    site pages without a failure: the digest of every input's bytes
    (:func:`_quick_digest`), the planned reports, and size and modification
    time of every file it left (reports and pages). A build whose inputs and
    outputs still match has nothing to do and stops before reading the data.
    """

    def __init__(self, reports: Path):
        self.path = reports / MANIFEST
        self.jobs: dict[str, str] = {}
        self.quick: dict = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == 1:
                self.jobs = dict(data.get("jobs", {}))
                self.quick = dict(data.get("quick", {}))
        except (OSError, ValueError, AttributeError):
            self.jobs, self.quick = {}, {}

    def save(self) -> None:
        data = {"format": 1, "jobs": self.jobs, **({"quick": self.quick} if self.quick else {})}
        text = json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)
        atomic_write_text(self.path, text + "\n")

    def unchanged(self, digest: str, root: Path) -> list[str] | None:
        """The planned reports if ``digest`` and every recorded output are as last time, else None."""
        if not self.quick or self.quick.get("digest") != digest:
            return None
        for rel, (size, mtime) in self.quick.get("outputs", {}).items():
            try:
                st = (root / rel).stat()
            except OSError:
                return None
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                return None
        return list(self.quick.get("planned", []))

    def record(self, digest: str, root: Path, planned: list[str], files) -> None:
        outputs = {}
        for path in [root / "reports" / key for key in planned] + [Path(f) for f in files]:
            st = path.stat()
            outputs[path.relative_to(root).as_posix()] = [st.st_size, st.st_mtime_ns]
        self.quick = {"digest": digest, "planned": planned, "outputs": dict(sorted(outputs.items()))}
        self.save()


def _quick_digest(data, templates: dict[str, Path], settings: Settings, years, forbund, *, pages: bool = True) -> str:
    """Digest of every input of a build, from bytes alone (nothing is parsed, pandas is not loaded)."""
    from ._paths import CATALOG_DIR, DEMO_DIR

    source = Path(data) if data not in (None, "") else DEMO_DIR
    return hashing.sha256(
        hashing.package_fingerprint(), hashing.tree_digest(source), hashing.tree_digest(CATALOG_DIR),
        *[f"{kind}={hashing.file_digest(path)}" for kind, path in sorted(templates.items())],
        settings.fingerprint(), json.dumps(sorted(int(y) for y in years)), json.dumps(sorted(forbund)),
        "pages" if pages else "no pages",
    )


# ---------------------------------------------------------------------------
# progress and summary
# ---------------------------------------------------------------------------
class _Progress:
    """One tqdm bar on a terminal, plain lines otherwise (CI logs)."""

    def __init__(self, total: int, enabled: bool):
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
            click.echo(line, err=True)

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


def _summary(result: BuildResult, jobs: dict[str, Job]) -> str:
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


# ---------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------
def _prune(reports: Path, manifest: _Manifest, planned: set[str]) -> None:
    """Remove reports of jobs that no longer exist (unfiltered builds only)."""
    from ._runner import FAILED_DIR

    for key in sorted(set(manifest.jobs) - planned):
        (reports / key).unlink(missing_ok=True)
        (reports / FAILED_DIR / key).unlink(missing_ok=True)
        del manifest.jobs[key]


def build(
    data=None,
    *,
    years=(),
    forbund=(),
    jobs: int | None = None,
    force: bool = False,
    render: bool = True,
    settings: Settings | None = None,
    root: str | Path | None = None,
    templates: dict | None = None,
    progress: bool = True,
    front_matter: Callable | None = None,
    write_pages: Callable | None = None,
    warm: bool = True,
    dataset=None,
    prune: bool = False,
) -> BuildResult:
    """Execute every report notebook that changed, then write the pages and render the site.

    Parameters
    ----------
    data : path, optional
        Data directory or workbook (default: the demo data). Ignored if
        ``dataset`` is given.
    years, forbund : sequence
        Only these years / förbund (``"riket"`` selects the national reports).
        Indicator pages are built only without filters.
    jobs : int, optional
        Worker processes (default: number of cores).
    force : bool
        Run every job even if its inputs did not change.
    render : bool
        Render the site with Quarto afterwards.
    settings : Settings, optional
    root : path, optional
        Project root (default: the current directory): reports go to
        ``root/reports``; notebooks run with this working directory; caches
        live here; Quarto renders here.
    templates : dict, optional
        Template path per kind (``forbund``, ``riket``, ``indikator``);
        default ``notebooks/``.
    progress : bool
        Print progress (a bar on a terminal, plain lines otherwise).
    front_matter, write_pages : callable, optional
        Hooks; default :func:`finsam.site.front_matter` and
        :func:`finsam.site.write_pages`. ``write_pages=False`` skips the pages.
    warm : bool
        Reuse warm kernels (default); ``False`` starts a fresh kernel per job.
    prune : bool
        Delete the reports of jobs that no longer exist (förbund or years
        absent from the data; unfiltered builds only). Without it they are
        kept and the summary names them.

    Raises
    ------
    finsam.io.DataValidationError, BuildInputError
    BuildLockedError
        Another build of the same project is running (exit code 2).
    OSError
        The project folder cannot be written (the command line says so, exit code 1).
    """
    with build_lock(Path(root if root is not None else Path.cwd()).resolve() / "reports"):
        return _build(data, years=years, forbund=forbund, jobs=jobs, force=force, render=render, settings=settings,
                      root=root, templates=templates, progress=progress, front_matter=front_matter,
                      write_pages=write_pages, warm=warm, dataset=dataset, prune=prune)


def _build(data, *, years, forbund, jobs, force, render, settings, root, templates, progress, front_matter,
           write_pages, warm, dataset, prune) -> BuildResult:
    t0 = time.perf_counter()
    root = Path(root if root is not None else Path.cwd()).resolve()
    reports = root / "reports"
    settings = settings or DEFAULT_SETTINGS
    templ = _templates(templates)
    # Nothing changed since the last complete build: stop before reading the data.
    quick = None
    if dataset is None and front_matter is None and write_pages in (None, False):
        quick = _quick_digest(data, templ, settings, years, forbund, pages=write_pages is None) + ("p" if prune else "")
        same = None if force else _Manifest(reports).unchanged(quick, root)
        if same is not None:
            result = BuildResult(planned=same, skipped=same)
            if progress:
                click.echo(f"{len(same)} rapporter oförändrade (körs inte om).", err=True)
            return _finish(result, {}, [], root, render=render, jobs=jobs, force=False, progress=progress, t0=t0)
    if dataset is None:
        from .io import load_dataset

        dataset = load_dataset(data)
    t_load = time.perf_counter()
    planned = plan_jobs(dataset, settings=settings, templates=templ, root=root, years=years, forbund=forbund,
                        front_matter=front_matter)
    result = BuildResult(planned=[j.key for j in planned])
    result.timings["plan"] = time.perf_counter() - t_load
    manifest = _Manifest(reports)
    _remove_temporary(reports)
    gone = sorted(set(manifest.jobs) - set(result.planned)) if not years and not forbund else []
    if gone and prune:
        _prune(reports, manifest, set(result.planned))
        result.pruned = gone
    elif gone:
        result.kept = gone
    todo = [j for j in planned if force or manifest.jobs.get(j.key) != j.digest or not (reports / j.key).is_file()]
    result.skipped = [j.key for j in planned if j not in todo]
    by_key = {j.key: j for j in planned}

    if progress and result.skipped:
        click.echo(_plural(len(result.skipped), "rapport oförändrad", "rapporter oförändrade")
                   + " (körs inte om).", err=True)
    if todo:
        from ._runner import RunOptions, run_jobs
        from .cache import load_results

        reports.mkdir(parents=True, exist_ok=True)
        bar = _Progress(len(todo), progress)

        def done(job: Job, outcome: Outcome) -> None:
            if outcome.ok:
                result.executed.append(job.key)
                manifest.jobs[job.key] = job.digest
                manifest.save()
            else:
                result.failed[job.key] = outcome.error
                if manifest.jobs.pop(job.key, None) is not None:
                    manifest.save()
            bar(job, outcome)

        options = RunOptions(
            reports_dir=str(reports), cwd=str(root), warm=warm,
            modules=tuple(_template_imports(sorted({j.template for j in todo}))),
        )
        prewarm = None
        if "finsam.reports" in options.modules:
            # Compute the results once (and fill the disk cache) while the kernels start.
            prewarm = lambda: load_results(dataset.source, settings, root=root)  # noqa: E731
        t_run = time.perf_counter()
        try:
            run_jobs(todo, options, jobs or os.cpu_count() or 1, on_done=done, while_starting=prewarm)
        finally:
            bar.close()
            manifest.save()
        result.timings["run"] = time.perf_counter() - t_run
    elif not (reports / MANIFEST).exists() and manifest.jobs:
        manifest.save()

    result.exit_code = 1 if result.failed else 0
    messages = []
    if write_pages is not False:
        if write_pages is None:
            from .site import write_pages
        try:
            written = write_pages(dataset, settings, root)
        except Exception as exc:  # noqa: BLE001 - reported, the notebooks are done
            messages.append(f"Webbplatsens sidor kunde inte skrivas: {type(exc).__name__}: {exc}")
            result.exit_code = 1
        else:
            if quick is not None and not result.failed:
                manifest.record(quick, root, result.planned, written or [])
    elif quick is not None and not result.failed:
        manifest.record(quick, root, result.planned, [])
    return _finish(result, by_key, messages, root, render=render, jobs=jobs, force=force, progress=progress,
                   t0=t0)


def _finish(result: BuildResult, by_key: dict, messages: list[str], root: Path, *, render: bool, jobs, force: bool,
            progress: bool, t0: float) -> BuildResult:
    """Render the site if asked, then time and summarise the build."""
    if render:
        code, message, rendered = _render_site(root, jobs=jobs or os.cpu_count() or 1, force=force,
                                               progress=progress)
        result.rendered = rendered is not None and code == 0
        result.render = rendered
        if message:
            messages.append(message)
        if code:
            result.exit_code = 1
    result.seconds = time.perf_counter() - t0
    if result.pruned:
        messages.append(f"Borttagna rapporter ({len(result.pruned)}, finns inte längre i data): "
                        + ", ".join(f"reports/{k}" for k in result.pruned))
    if result.kept:
        messages.append(f"{len(result.kept)} rapporter hör till förbund eller år som saknas i data och behölls: "
                        + ", ".join(f"reports/{k}" for k in result.kept)
                        + ". Kör `finsam build --prune` för att ta bort dem.")
    result.summary = "\n".join([_summary(result, by_key), *messages])
    return result


def _render_site(root: Path, *, jobs: int = 1, force: bool = False, progress: bool = True):
    """Render the site with Quarto (:mod:`finsam.render`): (exit code, message or None, RenderResult or None)."""
    from . import render as R

    quarto = shutil.which("quarto")
    if quarto is None:
        return 0, QUARTO_MISSING.format(reports=root / "reports", root=root), None
    if not (root / "_quarto.yml").is_file():
        return 0, f"Ingen _quarto.yml i {root}: webbplatsen renderas inte.", None
    echo = (lambda line: click.echo(line, err=True)) if progress else None
    res = R.render(root, quarto=quarto, jobs=jobs, force=force, echo=echo)
    lines = [f"Webbplatsen: {_plural(len(res.reports), 'rapport', 'rapporter')} och "
             f"{_plural(len(res.pages), 'sida', 'sidor')} renderade, "
             f"{_plural(res.unchanged, 'oförändrad', 'oförändrade')}, {len(res.failed)} misslyckades."]
    if res.failed:
        lines.append("Misslyckade renderingar (tidigare version, om någon, finns kvar):")
        for rel, message in sorted(res.failed.items()):
            lines.append(f"  {rel}")
            lines += [f"    {line}" for line in message.splitlines()[-SOURCE_LINES:]]
    return (1 if res.failed else 0), "\n".join(lines), res


# ---------------------------------------------------------------------------
# one report
# ---------------------------------------------------------------------------
def run_report(
    data=None,
    *,
    forbund: str,
    year: int,
    settings: Settings | None = None,
    root: str | Path | None = None,
    templates: dict | None = None,
    front_matter: Callable | None = None,
    dataset=None,
) -> tuple[Job, Outcome]:
    """Execute one report (a förbund's or ``"riket"``) now, in a fresh kernel.

    Same parameters, checks, front matter and atomic output as :func:`build`;
    the manifest is updated on success but never used to skip. ``root`` is
    the project (default: the current directory). The kernel talks over a
    Unix socket where there is one (no TCP warning on the terminal).
    """
    root = Path(root if root is not None else Path.cwd()).resolve()
    settings = settings or DEFAULT_SETTINGS
    if dataset is None:
        from .io import load_dataset

        dataset = load_dataset(data)
    templ = _templates(templates)
    templ = {k: v for k, v in templ.items() if k in ("riket" if forbund == NATIONAL else "forbund",)}
    planned = plan_jobs(dataset, settings=settings, templates=templ, root=root, years=[year], forbund=[forbund],
                        front_matter=front_matter)
    if not planned:
        raise BuildInputError(_no_data_message(dataset, forbund, int(year)))
    job = planned[0]
    reports = root / "reports"
    from ._runner import RunOptions, run_job

    options = RunOptions(reports_dir=str(reports), cwd=str(root), warm=False)
    outcome = _run_single(job, options)
    if outcome.ok:
        manifest = _Manifest(reports)
        manifest.jobs[job.key] = job.digest
        manifest.save()
    return job, outcome


def _run_single(job: Job, options: RunOptions) -> Outcome:
    """Run one job in its own kernel, on a Unix socket where possible (a quiet kernel)."""
    from ._runner import run_job

    if os.name != "posix":  # pragma: no cover - no Unix sockets
        return run_job(job, options)
    from ._kernel import WarmKernel

    kernel = WarmKernel(options.cwd, ())
    try:
        return run_job(job, options, kernel)
    finally:
        kernel.shutdown()


def _no_data_message(dataset, forbund: str, year: int) -> str:
    """Why there is no report ``forbund`` × ``year``, with the years that do have data."""
    if forbund == NATIONAL:
        have = sorted({int(y) for y in dataset.years})
        return f"Det finns inga data för {year}. År med data: {', '.join(map(str, have))}."
    rows = [t.loc[t["forbund"].astype(str) == forbund, "year"] for t in (dataset.responses, dataset.participation)]
    have = sorted({int(y) for r in rows for y in r})
    if not have:
        return f"Förbundet {forbund} har inga data för något år (inga rader i responses.csv eller participation.csv)."
    return f"Förbundet {forbund} har inga data för {year}. År med data för förbundet: {', '.join(map(str, have))}."


def pdf_path(root: Path, key: str) -> Path:
    """Where ``quarto render reports/<key> --to typst`` writes the PDF, relative to ``root``.

    A file rendered inside a project goes to the project's output directory,
    at the same relative path (Quarto docs, "Project Basics": files rendered
    one by one use the project's configuration and ``output-dir``); without
    ``_quarto.yml`` it is written next to the notebook.
    """
    rel = (Path("reports") / key).with_suffix(".pdf")
    if not (Path(root) / "_quarto.yml").is_file():
        return rel
    from .render import output_dir

    return Path(output_dir(Path(root))) / rel


def render_pdf(root: Path, key: str) -> tuple[int, Path | None, str | None]:
    """Render ``reports/<key>`` to PDF with Quarto in ``root``.

    Returns
    -------
    tuple
        (exit code, the PDF's path relative to ``root`` or None, a Swedish
        message when no PDF was written). The exit code is 1 when Quarto is
        missing (the message then says how to get it) or the render fails.
    """
    path = Path("reports") / key
    quarto = shutil.which("quarto")
    if quarto is None:
        return 1, None, (f"Quarto saknas, så ingen PDF skapades. {QUARTO_INSTALL} och kör "
                         f"`quarto render {path.as_posix()} --to typst`.")
    from .render import quarto_env

    proc = subprocess.run([quarto, "render", path.as_posix(), "--to", "typst"], cwd=root, env=quarto_env())
    if proc.returncode:
        return 1, None, f"PDF-renderingen misslyckades (slutkod {proc.returncode})."
    out = pdf_path(root, key)
    if not (root / out).is_file() and (root / path.with_suffix(".pdf")).is_file():
        out = path.with_suffix(".pdf")
    return 0, out, None
