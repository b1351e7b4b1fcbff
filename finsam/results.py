"""All statistics of a dataset in one call, and the ``finsam results`` CSV export.

Notebooks call :func:`compute_all` once and slice the frames of the returned
:class:`Results`; the command line calls :func:`results_command`, which writes
the contract CSV (issue 4) built by :func:`compute_results`.

CSV format (public contract): UTF-8 without BOM, ``,`` separator, ``\\n`` line
ends, one header row. Columns :data:`finsam.stats.CONTRACT_COLUMNS` in that
order, then extras (``signif_national``, ``signif_previous``, ``key_count``,
…). Shares and differences are fractions 0–1 written with six decimals;
integers without decimals; booleans ``true``/``false``; ``national_reason``
(extra) is ``few_forbund`` where the national columns are empty because the
year has fewer förbund than ``min_forbund_national`` and no national
reference; missing values (every
number of a withheld cell – extras such as ``answered`` and ``national_n``
included –, comparisons that do not exist) are empty. Rows are
sorted by year, förbund, group order, question number (indicator number on the
indicator level) and gender view (alla, kvinna, man). A text cell starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
leading ``'`` (OWASP's defence against formula injection; ids and codes never
start so, numbers are never changed).
"""

from __future__ import annotations

import io as _stdio
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .catalog import Catalog, load_catalog
from .errors import FinsamError
from .disclosure import apply_disclosure, blank_withheld
from .settings import DEFAULT_SETTINGS, Settings
from .stats import (
    ALL_GROUPS,
    NATIONAL,
    NATIONAL_COLUMNS,
    indicator_stats,
    order_columns,
    question_stats,
    response_stats,
)

LEVELS = ("question", "indicator")


class ResultsError(FinsamError, ValueError):
    """A request that the data cannot answer (unknown förbund, year without data)."""


@dataclass(frozen=True)
class Results:
    """Everything computed for one dataset (all years unless restricted).

    Attributes
    ----------
    question : DataFrame
        Question cells after disclosure control: year × förbund (and
        ``"riket"``) × group × question × gender view. See
        :func:`finsam.stats.question_stats` and
        :func:`finsam.disclosure.apply_disclosure`.
    indicator : DataFrame
        Indicator rows per year × förbund (and riket) × indicator × group
        (each group and ``"alla"``) × gender view. See
        :func:`finsam.stats.indicator_stats`.
    response : DataFrame
        Response figures (asked, answered, bortfall, response rate …) per year
        × förbund (and riket) × group, with ``deltagare_totalt`` and ``totalt``
        rows. See :func:`finsam.stats.response_stats`.
    settings : Settings
        The settings used.
    """

    question: pd.DataFrame
    indicator: pd.DataFrame
    response: pd.DataFrame
    settings: Settings

    def questions(self, year: int, forbund: str | None = None) -> pd.DataFrame:
        """Question rows of one year (one förbund, ``"riket"``, or all förbund without riket)."""
        return _select(self.question, year, forbund)

    def indicators(self, year: int, forbund: str | None = None, group: str | None = ALL_GROUPS) -> pd.DataFrame:
        """Indicator rows of one year; ``group=None`` keeps the per-group rows too."""
        df = _select(self.indicator, year, forbund)
        return df if group is None else df.loc[df["group"] == group].reset_index(drop=True)

    def responses(self, year: int, forbund: str | None = None) -> pd.DataFrame:
        """Response figures of one year."""
        return _select(self.response, year, forbund)


def _select(df: pd.DataFrame, year: int, forbund: str | None) -> pd.DataFrame:
    mask = df["year"] == int(year)
    if forbund is None:
        mask &= df["forbund"] != NATIONAL
    else:
        mask &= df["forbund"] == forbund
    return df.loc[mask].reset_index(drop=True)


def compute_all(
    dataset,
    settings: Settings | None = None,
    *,
    catalog: Catalog | None = None,
    years=None,
) -> Results:
    """Compute question, indicator and response statistics for a dataset once.

    Parameters
    ----------
    dataset : finsam.io.Dataset
        The loaded data (``responses`` and ``participation`` are used).
    settings : Settings, optional
        Default ``DEFAULT_SETTINGS``.
    catalog : Catalog, optional
        Default :func:`finsam.catalog.load_catalog`.
    years : iterable of int, optional
        Restrict to these years (their previous years are computed as well, for
        the comparisons). Default: every year.

    Returns
    -------
    Results
    """
    settings = settings or DEFAULT_SETTINGS
    catalog = catalog or load_catalog()
    responses = dataset.responses
    participation = dataset.participation
    national = getattr(dataset, "national", None)
    national_participation = getattr(dataset, "national_participation", None)
    if years is not None:
        wanted = {int(y) for y in years} | {int(y) - 1 for y in years}
        responses = responses.loc[responses["year"].astype(int).isin(wanted)]
        participation = participation.loc[participation["year"].astype(int).isin(wanted)]
        if national is not None:
            national = national.loc[national["year"].astype(int).isin(wanted)]
        if national_participation is not None:
            national_participation = national_participation.loc[
                national_participation["year"].astype(int).isin(wanted)]
    q = apply_disclosure(
        question_stats(responses, catalog, settings, participation, national, national_participation), settings
    )
    ind = blank_withheld(indicator_stats(q, settings, catalog))
    resp = response_stats(participation, catalog, national_participation)
    few = few_forbund_years(dataset, settings)
    q, ind = without_national(q, few), without_national(ind, few)
    if years is not None:
        keep = {int(y) for y in years}
        q, ind, resp = (d.loc[d["year"].isin(keep)].reset_index(drop=True) for d in (q, ind, resp))
    return Results(question=q, indicator=ind, response=resp, settings=settings)


#: Reason code of a row without national comparison: too few förbund and no national reference.
FEW_FORBUND = "few_forbund"


def few_forbund_years(dataset, settings: Settings) -> list[int]:
    """Years whose national figure would rest on fewer than ``settings.min_forbund_national`` förbund.

    Only years without a national reference count (a data set's ``national``
    table, when it has one, gives the national figures of its years).
    """
    r = dataset.responses
    counts = r.groupby(r["year"].astype(int))["forbund"].nunique()
    national = getattr(dataset, "national", None)
    covered = set() if national is None or not len(national) else {int(y) for y in national["year"]}
    return sorted(int(y) for y, c in counts.items() if c < settings.min_forbund_national and int(y) not in covered)


def without_national(df: pd.DataFrame, years) -> pd.DataFrame:
    """Blank the national comparison of the förbund rows of ``years``; add ``national_reason``.

    ``national_reason`` is :data:`FEW_FORBUND` on those rows and empty elsewhere.
    """
    df = df.copy()
    mask = df["year"].astype(int).isin(list(years)) & (df["forbund"] != NATIONAL)
    for c in NATIONAL_COLUMNS:
        if c in df.columns:
            df[c] = df[c].mask(mask)
    df["national_reason"] = pd.Series(pd.NA, index=df.index, dtype="string").mask(mask, FEW_FORBUND)
    return df


def _known_forbund(dataset) -> list[str]:
    ids = set(dataset.forbund["forbund"].astype(str)) | set(dataset.responses["forbund"].astype(str))
    return sorted(ids)


def _forbund_with_data(dataset, year: int) -> list[str]:
    r = dataset.responses
    return sorted(set(r.loc[r["year"].astype(int) == int(year), "forbund"].astype(str)))


def compute_results(
    dataset,
    settings: Settings | None = None,
    *,
    year: int,
    forbund: str | None = None,
    level: str = "question",
    catalog: Catalog | None = None,
) -> pd.DataFrame:
    """The contract table of ``finsam results`` for one year.

    Parameters
    ----------
    dataset : finsam.io.Dataset
    settings : Settings, optional
    year : int
        Measurement year; must have responses.
    forbund : str, optional
        A förbund id, ``"riket"`` for the national rows, or ``None`` for every
        förbund (national figures are then in the ``national`` column).
    level : {"question", "indicator"}
        Question cells, or indicator rows (all groups pooled: ``group`` is
        ``"alla"`` and ``question`` empty).

    Returns
    -------
    DataFrame
        :data:`finsam.stats.CONTRACT_COLUMNS` first, then extras; sorted.

    Raises
    ------
    ResultsError
        Unknown level or förbund, a year without responses, or a förbund
        without responses that year (Swedish message listing what exists).
    """
    if level not in LEVELS:
        raise ResultsError(f"Okänd nivå {level!r}. Välj en av: {', '.join(LEVELS)}.")
    years = sorted(set(int(y) for y in dataset.responses["year"]))
    problems = []
    if int(year) not in years:
        listed = ", ".join(str(y) for y in years) or "(inga)"
        problems.append(f"Det finns inga svar för år {year} i data. År med svar: {listed}.")
    if forbund is not None and forbund != NATIONAL and forbund not in _known_forbund(dataset):
        listed = ", ".join(_known_forbund(dataset)) or "(inga)"
        problems.append(f"Okänt förbund {forbund!r}. Förbund i data: {listed} (eller '{NATIONAL}' för riket).")
    if not problems and forbund is not None and forbund != NATIONAL:
        with_data = _forbund_with_data(dataset, year)
        if forbund not in with_data:
            listed = ", ".join(with_data) or "(inga)"
            problems.append(
                f"Förbundet {forbund!r} har inga svar år {year}. Förbund med svar {year}: {listed} "
                f"(eller '{NATIONAL}' för riket)."
            )
    if problems:
        raise ResultsError("\n".join(problems))
    res = compute_all(dataset, settings, catalog=catalog, years=[year])
    if level == "question":
        df = res.questions(year, forbund)
    else:
        df = res.indicators(year, forbund, group=ALL_GROUPS)
    return order_columns(df).reset_index(drop=True)


def results_csv_text(df: pd.DataFrame) -> str:
    """The CSV text of a results table (format in the module docstring).

    Text cells that a spreadsheet program would read as a formula get a
    leading ``'`` (:func:`finsam.escape.spreadsheet_cell`); numbers are never
    changed. This holds for ``finsam results`` and for the site's downloads.
    """
    from .escape import spreadsheet_frame

    out = spreadsheet_frame(df)
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_bool_dtype(col):
            out[c] = col.map({True: "true", False: "false"}).astype(object).where(col.notna(), "")
    buf = _stdio.StringIO()
    out.to_csv(buf, index=False, float_format="%.6f", lineterminator="\n", na_rep="")
    return buf.getvalue()


def write_results_csv(df: pd.DataFrame, path: str | Path) -> None:
    """Write a results table atomically (UTF-8, ``,``)."""
    from ._atomic import atomic_write_text

    atomic_write_text(path, results_csv_text(df))


def _print_err(message: str) -> None:
    import click

    click.echo(message, err=True)


def results_command(data, *, year, forbund, level, out, settings_file) -> int:
    """``finsam results``: compute the contract table and write it as CSV.

    Returns the exit code: 0 written, 2 invalid input (settings, data,
    unknown förbund, year or förbund without data, an output path that cannot
    be written, e.g. a directory).
    """
    from . import io as _io

    try:
        settings = Settings.from_toml(settings_file) if settings_file else DEFAULT_SETTINGS
    except (ValueError, OSError) as exc:
        _print_err(f"Kunde inte läsa inställningarna {settings_file}: {exc}")
        return 2
    validation_error = getattr(_io, "DataValidationError", None)
    try:
        dataset = _io.load_dataset(data)
    except Exception as exc:  # noqa: BLE001 - reported in Swedish, exit code 2
        if validation_error is not None and isinstance(exc, validation_error):
            problems = list(getattr(exc, "problems", None) or [str(exc)])
            _print_err(f"Data i {data or 'demodata'} är ogiltiga ({len(problems)} fel):")
            for p in problems:
                _print_err(f"  {p}")
            return 2
        if isinstance(exc, (FileNotFoundError, NotADirectoryError)):
            _print_err(f"Hittar inte data: {exc}")
            return 2
        raise
    try:
        df = compute_results(dataset, settings, year=year, forbund=forbund, level=level)
    except ResultsError as exc:
        _print_err(str(exc))
        return 2
    try:
        write_results_csv(df, out)
    except OSError as exc:
        from ._atomic import os_error_text

        _print_err(f"Kunde inte skriva resultatfilen {out}: {os_error_text(exc)}. Ange en fil som går att skriva.")
        return 2
    shown = int((~df["withheld"].astype(bool)).sum()) if len(df) else 0
    import click

    click.echo(f"Skrev {len(df)} rader ({shown} redovisade, {len(df) - shown} dolda) till {out}")
    return 0


__all__ = [
    "FEW_FORBUND", "LEVELS", "Results", "ResultsError", "compute_all", "few_forbund_years", "without_national", "compute_results", "results_command",
    "results_csv_text", "write_results_csv",
]
