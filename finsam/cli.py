"""The ``finsam`` command line (click). Command and option names in English,
help texts and messages in Swedish.

Exit codes: 0 ok, 1 a job or report failed, 2 invalid input (data or options).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import _click_sv

_click_sv.install()

CONTEXT = {"help_option_names": ["-h", "--help"]}


def _fail(message: str, code: int = 2) -> None:
    click.echo(message, err=True)
    sys.exit(code)


@click.group(name="finsam", context_settings=CONTEXT, subcommand_metavar="KOMMANDO [ARGUMENT]...", help="Indikatorer för finansiell samordning: kontroll, statistik och rapporter.")
@click.version_option(package_name="finsam", message="finsam %(version)s")
def main() -> None:
    pass


@main.command(help="Kontrollera en datakatalog eller en .xlsx-arbetsbok. Alla fel listas med fil, rad och kolumn; slutkod 2 vid fel.")
@click.argument("data", type=click.Path(path_type=Path), required=False, metavar="[DATA]")
def validate(data: Path | None) -> None:
    from .validate import validate_command

    sys.exit(validate_command(data))


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
def results(data, year, forbund, level, out, settings_file) -> None:
    from .results import results_command

    sys.exit(results_command(data, year=year, forbund=forbund, level=level, out=out, settings_file=settings_file))


@main.command(help="Skapa de syntetiska demodata (fast frö: samma filer varje gång).")
@click.argument("directory", type=click.Path(path_type=Path), required=False, metavar="[KATALOG]")
def demo(directory: Path | None) -> None:
    from .demo import demo_command

    sys.exit(demo_command(directory))


@main.command(help="Kör alla rapporter (förbund × år och riket per år) med papermill och bygg webbplatsen med Quarto.")
@click.option("--data", "data", type=click.Path(path_type=Path), metavar="KATALOG", default=None, help="Datakatalog eller .xlsx (standard: demodata).")
@click.option("--year", "years", type=int, multiple=True, help="Bara dessa år (kan upprepas).")
@click.option("--forbund", "forbund", multiple=True, metavar="ID", help="Bara dessa förbund (kan upprepas).")
@click.option("--jobs", "jobs", type=int, default=None, help="Antal parallella arbetare (standard: antal kärnor).")
@click.option("--force", is_flag=True, help="Kör om alla rapporter även om indata inte ändrats.")
@click.option("--no-render", "no_render", is_flag=True, help="Kör bara notebooks, rendera inte med Quarto.")
@click.option("--settings", "settings_file", type=click.Path(path_type=Path, exists=True), metavar="FIL", default=None, help="TOML-fil med egna inställningar.")
def build(data, years, forbund, jobs, force, no_render, settings_file) -> None:
    from .build import build_command

    sys.exit(build_command(data=data, years=years, forbund=forbund, jobs=jobs, force=force, render=not no_render, settings_file=settings_file))


@main.command(help="Kör en rapport för ett förbund och ett år.")
@click.option("--data", "data", type=click.Path(path_type=Path), metavar="KATALOG", default=None, help="Datakatalog eller .xlsx (standard: demodata).")
@click.option("--forbund", "forbund", required=True, metavar="ID", help="Förbundets id (eller 'riket').")
@click.option("--year", "year", type=int, required=True, help="Mätår.")
@click.option("--pdf", is_flag=True, help="Rendera också en PDF med Quarto.")
@click.option("--settings", "settings_file", type=click.Path(path_type=Path, exists=True), metavar="FIL", default=None, help="TOML-fil med egna inställningar.")
def report(data, forbund, year, pdf, settings_file) -> None:
    from .build import report_command

    sys.exit(report_command(data=data, forbund=forbund, year=year, pdf=pdf, settings_file=settings_file))


if __name__ == "__main__":  # pragma: no cover
    main()
