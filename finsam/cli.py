"""The ``finsam`` command line (click). Command and option names in English,
help texts and messages in Swedish.

This is the only module that prints errors and chooses exit codes: 0 ok, 1 a
job or report failed, 2 invalid input (a :class:`finsam.errors.FinsamError`:
data, settings, options). Any other exception is a bug: it propagates with its
traceback and the process exits with 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import click

from . import _click_sv
from .errors import FinsamError

_click_sv.install()

CONTEXT = {"help_option_names": ["-h", "--help"]}


def _fail(message: str, code: int = 2) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def print_error(exc: FinsamError) -> None:
    """Print a :class:`FinsamError` in Swedish: every data problem on its own line, else the message."""
    problems = getattr(exc, "problems", None)
    if problems:
        from .validate import grouped_problems

        for line in grouped_problems(problems):
            click.echo(line, err=True)
        click.echo(f"{len(problems)} fel hittades i data; inget kördes.", err=True)
    else:
        click.echo(str(exc), err=True)


def guarded(action: Callable[[], int | None]) -> int:
    """Run ``action``; a :class:`FinsamError` is printed and gives its exit code (2)."""
    try:
        return action() or 0
    except FinsamError as exc:
        print_error(exc)
        return exc.exit_code


def _settings(settings_file):
    from .settings import DEFAULT_SETTINGS, Settings

    return Settings.from_toml(settings_file) if settings_file is not None else DEFAULT_SETTINGS


# ---------------------------------------------------------------------------
# what the commands do (callable from tests; each returns the exit code)
# ---------------------------------------------------------------------------
def _project_dir(project) -> Path | None:
    """``--project``: the folder given, checked to be a project (None: the current directory)."""
    if project is None:
        return None
    from .project import project_root

    return project_root(project)


def validate_command(path: Path | None, project: Path | None = None) -> int:
    """``finsam validate``: print every problem, then a summary; 0 if valid, 2 otherwise."""
    from . import fmt
    from .io import read_raw
    from .project import default_data, shown_path
    from .validate import validate_dataset

    def run() -> int:
        path_ = path if path is not None else default_data(_project_dir(project))
        shown = path if path is not None else shown_path(path_)  # as the user typed it, else from here
        raw = read_raw(path_)
        problems = validate_dataset(raw)
        if problems:
            from .validate import grouped_problems

            for line in grouped_problems(problems):
                click.echo(line)
            click.echo(f"{len(problems)} fel hittades i {shown}")
            return 2
        resp, part = raw.tables["responses"], raw.tables["participation"]
        years = set(resp["year"]) | set(part["year"])
        rows = len(resp)
        national = raw.tables.get("national")
        reference = sorted({int(y) for y in national["year"]}) if national is not None and len(national) else []
        click.echo(
            f"Inga fel: {fmt.thousands(len(raw.tables['forbund']))} förbund, {fmt.thousands(len(years))} år, "
            f"{fmt.thousands(rows)} {'svarsrad' if rows == 1 else 'svarsrader'}"
            + (f"; riksreferens för {', '.join(str(y) for y in reference)}." if reference else ".")
        )
        return 0

    return guarded(run)


def demo_command(directory: str | Path | None) -> int:
    """``finsam demo [DIR]``: write the synthetic demo data (default: the checkout's, else ``./demodata``)."""
    from ._atomic import os_error_text
    from ._paths import DEMO_DIR, REPO_ROOT
    from .demo import generate
    from .project import shipped_project_dir

    if directory is None:
        # Never into an installed package: there the default is a folder here.
        directory = DEMO_DIR if shipped_project_dir() == REPO_ROOT else Path("demodata")
    directory = Path(directory)
    try:
        files = generate(directory)
    except OSError as exc:
        click.echo(f"Kunde inte skapa demodata i {directory}: {os_error_text(exc)}", err=True)
        return 1
    click.echo(f"Syntetiska demodata skrivna till {directory} ({len(files)} filer).")
    return 0


def _project_and_data(project, data) -> tuple[Path, Path]:
    """The project (``--project`` or the current directory) and its data (``--data`` or the project's own)."""
    from ._paths import DEMO_DIR
    from .project import DATA_DIR, default_data, project_root

    root = project_root(project)
    if data is not None:
        return root, Path(data)
    found = default_data(root)
    if found == DEMO_DIR:
        click.echo(f"Inga egna data i {DATA_DIR}/ i projektet: de syntetiska demodata används.", err=True)
    return root, found


def build_command(*, data, years, forbund, jobs, force, render, settings_file, project=None, prune=False) -> int:
    """``finsam build``: see :func:`finsam.build.build`; prints the summary (exit 1 when the project cannot be written)."""
    from . import build as B
    from ._atomic import os_error_text

    if jobs is not None and jobs < 1:
        click.echo(f"--jobs måste vara minst 1, inte {jobs}", err=True)
        return 2

    def run() -> int:
        root, data_ = _project_and_data(project, data)
        try:
            result = B.build(data_, years=tuple(years), forbund=tuple(forbund), jobs=jobs, force=force, render=render,
                             settings=_settings(settings_file), root=root, prune=prune)
        except OSError as exc:
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            click.echo(f"Bygget avbröts: kunde inte skriva i projektkatalogen{where}: {os_error_text(exc)}. "
                       "Rapporter och sidor som redan fanns är orörda.", err=True)
            return 1
        click.echo(result.summary)
        return result.exit_code

    return guarded(run)


def report_command(*, data, forbund, year, pdf, settings_file, project=None) -> int:
    """``finsam report``: one report to ``reports/<year>/<forbund>.ipynb`` (and a PDF with ``--pdf``).

    Exit code 1 also when the PDF was asked for and could not be made (e.g. no Quarto).
    """
    from . import build as B
    from .project import shown_path

    def run() -> int:
        root, data_ = _project_and_data(project, data)
        job, outcome = B.run_report(data_, forbund=forbund, year=year, settings=_settings(settings_file), root=root)
        if not outcome.ok:
            click.echo("\n".join(["Rapporten misslyckades:", *B._failure_text(job.key, job, outcome.error)]),
                       err=True)
            return 1
        click.echo(f"Rapport skriven: {shown_path(root / 'reports' / job.key)} ({B._sv(outcome.seconds)} s)")
        if not pdf:
            return 0
        code, out, problem = B.render_pdf(root, job.key)
        if problem:
            click.echo(problem, err=True)
        else:
            click.echo(f"PDF skriven: {shown_path(root / out)}")
        return code

    return guarded(run)


def results_command(data, *, year, forbund, level, out, settings_file, project=None) -> int:
    """``finsam results``: compute the contract table and write it as CSV."""
    from ._atomic import os_error_text
    from .io import load_dataset
    from .project import default_data
    from .results import compute_results, write_results_csv

    def run() -> int:
        settings = _settings(settings_file)
        try:
            dataset = load_dataset(data if data is not None else default_data(_project_dir(project)))
        except (FileNotFoundError, NotADirectoryError) as exc:
            click.echo(f"Hittar inte data: {exc}", err=True)
            return 2
        df = compute_results(dataset, settings, year=year, forbund=forbund, level=level)
        try:
            write_results_csv(df, out)
        except OSError as exc:
            click.echo(f"Kunde inte skriva resultatfilen {out}: {os_error_text(exc)}. Ange en fil som går att skriva.",
                       err=True)
            return 2
        shown = int((~df["withheld"].astype(bool)).sum()) if len(df) else 0
        click.echo(f"Skrev {len(df)} rader ({shown} redovisade, {len(df) - shown} dolda) till {out}")
        return 0

    return guarded(run)


def national_command(data, *, out, settings_file, project=None) -> int:
    """``finsam national``: write ``national.csv`` and ``national_participation.csv`` (see :mod:`finsam.national`)."""
    from ._atomic import os_error_text
    from .io import load_dataset
    from .national import reference_years, write_national
    from .project import default_data

    def run() -> int:
        settings = _settings(settings_file)
        dataset = load_dataset(data if data is not None else default_data(_project_dir(project)))
        try:
            written = write_national(dataset, out, settings)
        except OSError as exc:
            click.echo(f"Kunde inte skriva riksreferensen i {out}: {os_error_text(exc)}.", err=True)
            return 2
        years = reference_years(dataset, settings)
        skipped = sorted(set(int(y) for y in dataset.responses["year"]) - set(years))
        click.echo(f"Riksreferens för {', '.join(str(y) for y in years)} skriven: "
                   + " och ".join(str(p) for p in written.values()) + ".")
        if skipped:
            click.echo(f"Utan riksreferens (färre än {settings.min_forbund_national} förbund): "
                       f"{', '.join(str(y) for y in skipped)}.")
        return 0

    return guarded(run)


# ---------------------------------------------------------------------------
# the click commands
# ---------------------------------------------------------------------------
@click.group(name="finsam", context_settings=CONTEXT, subcommand_metavar="KOMMANDO [ARGUMENT]...", help="Indikatorer för finansiell samordning: kontroll, statistik och rapporter.")
@click.version_option(package_name="finsam", message="finsam %(version)s")
def main() -> None:
    pass


@main.command(help="Kontrollera en datakatalog eller en .xlsx-arbetsbok. Alla fel listas med fil, rad och kolumn; slutkod 2 vid fel.")
@click.argument("data", type=click.Path(path_type=Path), required=False, metavar="[DATA]")
@click.option("--project", "project", type=click.Path(path_type=Path), metavar="MAPP", default=None, help="Projektmappen (standard: den aktuella mappen).")
def validate(data: Path | None, project: Path | None) -> None:
    sys.exit(validate_command(data, project))


@main.command(help="Skriv en tom .xlsx-mall med rubriker och ett blad med giltiga koder.")
@click.argument("file", type=click.Path(path_type=Path), metavar="FIL.xlsx")
def template(file: Path) -> None:
    from ._atomic import os_error_text
    from .io import write_template

    if file.suffix.lower() != ".xlsx":
        _fail(f"Mallen är en Excel-arbetsbok: ge ett filnamn som slutar på .xlsx, inte {file.name!r}.")
    try:
        write_template(file)
    except OSError as exc:
        _fail(f"Kunde inte skriva {file}: {os_error_text(exc)}.")
    click.echo(f"Mall skriven: {file}")


@main.command(help="Beräkna andelar, intervall och jämförelser och skriv dem som CSV.")
@click.argument("data", type=click.Path(path_type=Path), required=False, metavar="[DATA]")
@click.option("--year", "year", type=int, required=True, help="Mätår (året då mätperioden slutar).")
@click.option("--forbund", "forbund", default=None, metavar="ID", help="Förbundets id; 'riket' ger riksraderna. Utan: alla förbund.")
@click.option("--level", type=click.Choice(["question", "indicator"]), default="question", show_default=True, help="Nivå: fråga eller indikator.")
@click.option("--out", "out", type=click.Path(path_type=Path), metavar="FIL", required=True, help="CSV-fil att skriva.")
@click.option("--settings", "settings_file", type=click.Path(path_type=Path, exists=True), metavar="FIL", default=None, help="TOML-fil med egna inställningar.")
@click.option("--project", "project", type=click.Path(path_type=Path), metavar="MAPP", default=None, help="Projektmappen (standard: den aktuella mappen).")
def results(data, year, forbund, level, out, settings_file, project) -> None:
    sys.exit(results_command(data, year=year, forbund=forbund, level=level, out=out, settings_file=settings_file,
                             project=project))


@main.command(help=(
    "Skriv riksreferensen (national.csv och national_participation.csv) ur data för flera förbund, "
    "så som NNS kan lämna den till utvärderare. Inget skrivs som riksrapporten själv döljer: bara år med minst "
    "min_forbund_national förbund; en fråga vars rikssiffra döljs av reglerna för små grupper (färre än min_n svar) "
    "utelämnas; när rikets könsuppdelning döljs skrivs frågans svar utan kön (utan_kon); annars kvinna och man "
    "för sig och övriga svar tillsammans som utan_kon."))
@click.argument("data", type=click.Path(path_type=Path), required=False, metavar="[DATA]")
@click.option("--out", "out", type=click.Path(path_type=Path), metavar="KATALOG", required=True, help="Katalog att skriva de två filerna i (skapas vid behov).")
@click.option("--settings", "settings_file", type=click.Path(path_type=Path, exists=True), metavar="FIL", default=None, help="TOML-fil med egna inställningar.")
@click.option("--project", "project", type=click.Path(path_type=Path), metavar="MAPP", default=None, help="Projektmappen (standard: den aktuella mappen).")
def national(data, out, settings_file, project) -> None:
    sys.exit(national_command(data, out=out, settings_file=settings_file, project=project))


@main.command(help="Skapa de syntetiska demodata (fast frö: samma filer varje gång).")
@click.argument("directory", type=click.Path(path_type=Path), required=False, metavar="[KATALOG]")
def demo(directory: Path | None) -> None:
    sys.exit(demo_command(directory))


@main.command(help="Kör alla rapporter (förbund × år och riket per år) med papermill och bygg webbplatsen med Quarto.")
@click.option("--data", "data", type=click.Path(path_type=Path), metavar="KATALOG", default=None, help="Datakatalog eller .xlsx (standard: projektets data/, annars demodata).")
@click.option("--year", "years", type=int, multiple=True, help="Bara dessa år (kan upprepas).")
@click.option("--forbund", "forbund", multiple=True, metavar="ID", help="Bara dessa förbund (kan upprepas).")
@click.option("--jobs", "jobs", type=int, default=None, help="Antal parallella arbetare (standard: antal kärnor).")
@click.option("--force", is_flag=True, help="Kör om alla rapporter även om indata inte ändrats.")
@click.option("--no-render", "no_render", is_flag=True, help="Kör bara notebooks, rendera inte med Quarto.")
@click.option("--settings", "settings_file", type=click.Path(path_type=Path, exists=True), metavar="FIL", default=None, help="TOML-fil med egna inställningar.")
@click.option("--project", "project", type=click.Path(path_type=Path), metavar="MAPP", default=None, help="Projektmappen (standard: den aktuella mappen).")
@click.option("--prune", is_flag=True, help="Ta bort rapporter för förbund och år som inte längre finns i data (annars behålls de och nämns).")
def build(data, years, forbund, jobs, force, no_render, settings_file, project, prune) -> None:
    sys.exit(build_command(data=data, years=years, forbund=forbund, jobs=jobs, force=force, render=not no_render, settings_file=settings_file, project=project, prune=prune))


@main.command(help="Kör en rapport för ett förbund och ett år.")
@click.option("--data", "data", type=click.Path(path_type=Path), metavar="KATALOG", default=None, help="Datakatalog eller .xlsx (standard: projektets data/, annars demodata).")
@click.option("--forbund", "forbund", required=True, metavar="ID", help="Förbundets id (eller 'riket').")
@click.option("--year", "year", type=int, required=True, help="Mätår.")
@click.option("--pdf", is_flag=True, help="Rendera också en PDF med Quarto.")
@click.option("--settings", "settings_file", type=click.Path(path_type=Path, exists=True), metavar="FIL", default=None, help="TOML-fil med egna inställningar.")
@click.option("--project", "project", type=click.Path(path_type=Path), metavar="MAPP", default=None, help="Projektmappen (standard: den aktuella mappen).")
def report(data, forbund, year, pdf, settings_file, project) -> None:
    sys.exit(report_command(data=data, forbund=forbund, year=year, pdf=pdf, settings_file=settings_file, project=project))


def init_command(directory: Path) -> int:
    """``finsam init [DIR]``: create a project folder (existing files are kept)."""
    from ._atomic import os_error_text
    from .project import init_project, shown_path

    def run() -> int:
        try:
            written, kept = init_project(directory)
        except OSError as exc:
            click.echo(f"Kunde inte skapa projektet i {directory}: {os_error_text(exc)}", err=True)
            return 2
        where = shown_path(directory)
        click.echo(f"Projekt skapat i {where}: {len(written)} filer skrivna"
                   + (f", {len(kept)} fanns redan och behölls." if kept else "."))
        go = "" if where == "." else f"cd {where} && "
        click.echo(f"Nästa steg: {go}finsam template data/svar.xlsx, fyll i arbetsboken, "
                   "kör finsam validate och sedan finsam build (se data/README.md).")
        return 0

    return guarded(run)


@main.command(help="Skapa en projektmapp: webbplatsens sidor, _quarto.yml och en mapp data/ med instruktioner.")
@click.argument("directory", type=click.Path(path_type=Path), required=False, default=Path("."), metavar="[MAPP]")
def init(directory: Path) -> None:
    sys.exit(init_command(directory))


if __name__ == "__main__":  # pragma: no cover
    main()
