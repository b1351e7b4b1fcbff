"""Execute the report notebooks, then write the site (``finsam build`` and ``finsam report``).

The build plans one job per förbund × year, one national report per year and
one page per questionnaire indicator (:mod:`finsam._plan`), skips jobs whose
input hash equals the one recorded after their last successful run and whose
report is on disk byte for byte as that run wrote it (``reports/.build-manifest.json``,
:mod:`finsam._manifest`), and runs the rest in parallel worker
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
import json
import os
import shutil  # noqa: F401 - tests patch B.shutil.which
import subprocess  # noqa: F401 - tests patch B.subprocess.run
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import click

from typing import TYPE_CHECKING

from . import hashing
from ._atomic import os_error_text
from ._manifest import LOCK_FILE, MANIFEST, BuildLockedError, build_lock, failed_reports  # noqa: F401 - public names
from ._manifest import Manifest as _Manifest
from ._manifest import quick_digest as _quick_digest
from ._manifest import remove_temporary as _remove_temporary
from ._paths import NOTEBOOKS_DIR, REPO_ROOT
from ._quarto_run import QUARTO_INSTALL, QUARTO_MISSING, _render_site, pdf_path, render_pdf  # noqa: F401
from ._summary import SOURCE_LINES, _Progress, _failure_text, _plural, _summary, _sv  # noqa: F401 - used by the CLI
from .codes import INDICATOR_DIR, NATIONAL
from .errors import InputError
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

class BuildInputError(InputError):
    """Invalid options or templates (exit code 2); the message is in Swedish."""


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
def _echo(line: str) -> None:
    """A progress line on standard error."""
    click.echo(line, err=True)


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
# progress and summary
# ---------------------------------------------------------------------------
# ---------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------
def _prune(reports: Path, manifest: _Manifest, planned: set[str]) -> None:
    """Remove reports of jobs that no longer exist (unfiltered builds only)."""
    from ._runner import FAILED_DIR

    for key in sorted(manifest.known() - planned):
        (reports / key).unlink(missing_ok=True)
        (reports / FAILED_DIR / key).unlink(missing_ok=True)
        manifest.forget(key)


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
        quick = _quick_digest(data, templ, settings, years, forbund, pages=write_pages is None, prune=prune)
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
    gone = sorted(manifest.known() - set(result.planned)) if not years and not forbund else []
    if gone and prune:
        _prune(reports, manifest, set(result.planned))
        result.pruned = gone
    elif gone:
        result.kept = gone
    todo = [j for j in planned if force or not manifest.up_to_date(j.key, j.digest)]
    result.skipped = [j.key for j in planned if j not in todo]
    by_key = {j.key: j for j in planned}

    if progress and result.skipped:
        click.echo(_plural(len(result.skipped), "rapport oförändrad", "rapporter oförändrade")
                   + " (körs inte om).", err=True)
    if todo:
        from ._runner import RunOptions, run_jobs
        from .cache import load_results

        reports.mkdir(parents=True, exist_ok=True)
        bar = _Progress(len(todo), progress, _echo)

        def done(job: Job, outcome: Outcome) -> None:
            if outcome.ok:
                result.executed.append(job.key)
                manifest.succeeded(job.key, job.digest)
            else:
                result.failed[job.key] = outcome.error
                manifest.failed_run(job.key, outcome.error.ename, outcome.error.evalue)
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
    elif manifest.dirty or (not (reports / MANIFEST).exists() and manifest.jobs):
        manifest.save()

    result.exit_code = 1 if result.failed else 0
    messages = []
    if write_pages is not False:
        if write_pages is None:
            from .site import write_pages
        try:
            written = write_pages(dataset, settings, root)
        except Exception as exc:  # noqa: BLE001 - reported, the notebooks are done
            cause = os_error_text(exc) if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
            messages.append(f"Webbplatsens sidor kunde inte skrivas: {cause}. Varje sida är antingen den förra "
                            "eller den nya i sin helhet (ingen halvskriven sida); kör build igen.")
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
                                               echo=_echo if progress else None)
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
    manifest = _Manifest(reports)
    if outcome.ok:
        manifest.succeeded(job.key, job.digest)
    else:
        manifest.failed_run(job.key, outcome.error.ename, outcome.error.evalue)
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
