"""A finsam project: the folder that holds the site pages, the data and every output.

``finsam init DIR`` creates one (:func:`init_project`): the Quarto configuration
and site pages (:data:`PROJECT_FILES`, shipped inside the package), a ``data/``
folder with a short Swedish README, and a ``.gitignore`` for the outputs. Every
command works on the project in the current directory or the one given with
``--project DIR`` (:func:`project_root`); reports (``reports/``), the site
(``_site/``) and the caches (``.finsam-cache/``, ``.finsam-render/``) are
written inside it, never inside the installed package. The repository
checkout is itself a project: the demo.

A project's data (:func:`project_data`) are the CSV files in ``data/`` or the
one workbook there; without either, the shipped synthetic demo data are used.
"""

from __future__ import annotations

from pathlib import Path

from ._atomic import atomic_write_text
from ._paths import DEMO_DIR, PACKAGE_DIR, REPO_ROOT
from .errors import FinsamError

#: The file that marks a folder as a project (Quarto's project file).
MARKER = "_quarto.yml"
#: The project files copied by ``finsam init`` (the site configuration and pages).
PROJECT_FILES = ("_quarto.yml", "index.qmd", "metod.qmd", "data.qmd", "theme.scss")
#: The data folder of a project.
DATA_DIR = "data"
#: Outputs a project's version control should ignore.
GITIGNORE = "reports/\n_site/\n.quarto/\n.finsam-cache/\n.finsam-render/\n.finsam-render.json\n~$*.xlsx\n"
#: The README written into ``data/``.
DATA_README = """\
# Data

Lägg förbundets data här, på ett av två sätt:

1. **En Excel-arbetsbok** (`.xlsx`): skapa en tom mall med `finsam template data/svar.xlsx`, fyll i bladen
   `forbund`, `responses` och `participation` (giltiga koder står på bladet `koder`) och spara.
2. **CSV-filer**: `forbund.csv`, `responses.csv` och `participation.csv` med samma kolumner som bladen.

Kontrollera data med `finsam validate`. Antal ska vara antal svar (heltal), inte andelar.

## Riksreferens

Jämförelser med riket kräver en riksreferens: två filer från NNS, `national.csv`
(`year, group, question, gender, answer, count`: svaren i hela landet, alla förbund
tillsammans, även ditt) och `national_participation.csv` (kolumnerna i `participation.csv`
utom `forbund`). Lägg dem här i `data/` (eller som bladen `national` och
`national_participation` i arbetsboken). För de år referensen omfattar kommer rikets siffror
från den, och ditt förbund jämförs med resten av landet (riket minus förbundet).
`finsam national DATA --out MAPP` skriver filerna ur data för flera förbund.

Utan riksreferens och med färre förbund i data än inställningen `min_forbund_national`
(standard 3) görs ingen jämförelse med riket, och rapporten säger varför.

Bygg sedan rapporterna med `finsam build`. Rapporterna hamnar i `reports/`, webbplatsen i `_site/`.
"""


class ProjectError(FinsamError):
    """No project where one is needed, or a project folder that cannot be created."""


def shipped_project_dir() -> Path:
    """Where the shipped project files are: the repository checkout, else inside the package."""
    if (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / MARKER).is_file():
        return REPO_ROOT
    return PACKAGE_DIR / "_project"


def is_project(path: str | Path) -> bool:
    """Whether ``path`` is a project folder (holds :data:`MARKER`)."""
    return (Path(path) / MARKER).is_file()


def project_root(project: str | Path | None = None) -> Path:
    """The project a command works on: ``project`` or the current directory (resolved).

    Raises
    ------
    ProjectError
        The folder does not exist or is not a project.
    """
    path = Path(project) if project is not None else Path.cwd()
    if not path.is_dir():
        raise ProjectError(f"Projektmappen {path} finns inte. Skapa den med `finsam init {path}`.")
    if not is_project(path):
        where = "Den här mappen" if project is None else f"Mappen {path}"
        raise ProjectError(
            f"{where} är ingen finsam-projektmapp (filen {MARKER} saknas). Skapa ett projekt med "
            "`finsam init MAPP` och kör kommandot där, eller ange projektet med `--project MAPP`."
        )
    return path.resolve()


def _workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith(("~$", ".")))


def project_data(root: str | Path) -> Path | None:
    """The data set of a project: ``data/`` with CSV files, else its one workbook; None: none there.

    Raises
    ------
    ProjectError
        Several workbooks in ``data/`` (which one is meant is not clear).
    """
    folder = Path(root) / DATA_DIR
    if (folder / "forbund.csv").is_file() or (folder / "responses.csv").is_file():
        return folder
    books = _workbooks(folder) if folder.is_dir() else []
    if len(books) > 1:
        raise ProjectError(
            f"Flera arbetsböcker i {folder}: {', '.join(b.name for b in books)}. "
            "Ange vilken med `--data FIL.xlsx`, eller flytta de andra."
        )
    return books[0] if books else None


def default_data(project: str | Path | None = None) -> Path:
    """The data a command uses without ``--data``: the project's own, else the shipped demo data."""
    root = Path(project) if project is not None else Path.cwd()
    found = project_data(root) if is_project(root) else None
    return found if found is not None else DEMO_DIR


def init_project(directory: str | Path) -> tuple[list[Path], list[Path]]:
    """Create a project in ``directory`` (created if missing); existing files are kept.

    Returns
    -------
    tuple of list of Path
        (files written, files that already existed and were kept).

    Raises
    ------
    ProjectError
        ``directory`` is a file, or the shipped project files are missing.
    """
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root} finns redan och är ingen mapp.")
    source = shipped_project_dir()
    missing = [name for name in PROJECT_FILES if not (source / name).is_file()]
    if missing:
        raise ProjectError(f"Projektfilerna saknas i installationen ({source}): {', '.join(missing)}")
    written, kept = [], []
    (root / DATA_DIR).mkdir(parents=True, exist_ok=True)
    files = [(root / name, (source / name).read_text(encoding="utf-8")) for name in PROJECT_FILES]
    files += [(root / DATA_DIR / "README.md", DATA_README), (root / ".gitignore", GITIGNORE)]
    for target, text in files:
        if target.exists():
            kept.append(target)
            continue
        atomic_write_text(target, text)
        written.append(target)
    return written, kept


def shown_path(path: str | Path) -> str:
    """A path as the user should type it from the current directory (relative when inside it)."""
    path = Path(path)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path.resolve())


__all__ = [
    "DATA_DIR", "MARKER", "PROJECT_FILES", "ProjectError", "default_data", "init_project", "is_project",
    "project_data", "project_root", "shipped_project_dir", "shown_path",
]
