"""The site render after a build, and one report's PDF (Quarto, through :mod:`finsam.render`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Callable

from ._summary import SOURCE_LINES, _plural

#: How to get Quarto (the ``quarto`` extra is defined in pyproject.toml, not on PyPI).
QUARTO_INSTALL = (
    "Installera Quarto från https://quarto.org/docs/get-started/ "
    '(eller `pip install -e ".[quarto]"` i finsam-katalogen, på en dator som når GitHub)'
)
QUARTO_MISSING = (
    "Quarto saknas (kommandot 'quarto' finns inte i PATH), så webbplatsen renderades inte; "
    "notebooks är klara i {reports}.\n" + QUARTO_INSTALL + " och kör sedan `quarto render` i {root}."
)


def _render_site(root: Path, *, jobs: int = 1, force: bool = False, echo: Callable[[str], None] | None = None):
    """Render the site with Quarto (:mod:`finsam.render`): (exit code, message or None, RenderResult or None)."""
    from . import render as R

    quarto = shutil.which("quarto")
    if quarto is None:
        return 0, QUARTO_MISSING.format(reports=root / "reports", root=root), None
    if not (root / "_quarto.yml").is_file():
        return 0, f"Ingen _quarto.yml i {root}: webbplatsen renderas inte.", None
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
