"""Upkeep of the templates' stored check output (the nbval reference copies in ``tests/nbval/``).

Every template ends with a hidden cell marked ``# NBVAL_CHECK_OUTPUT`` that
prints the report's ``check_summary``; ``pytest --nbval-lax`` compares it with
the stored line. Run ``python -m finsam.reports.checks`` after the demo data or
the statistics change.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .._atomic import atomic_write_text
from .._paths import NOTEBOOKS_DIR, REPO_ROOT
from . import forbund, indikator, riket

CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
_TEMPLATES = {"forbund.ipynb": "forbund", "riket.ipynb": "riket", "indikator.ipynb": "indikator"}


def template_defaults(nb) -> dict:
    """The literal defaults of a template's ``parameters`` cell."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", []))
    values = {}
    for node in ast.parse(cell.source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def expected_check_output(kind: str, params: dict) -> str:
    """What the template's NBVAL_CHECK_OUTPUT cell prints with ``params``."""
    data_dir, settings = params.get("data_dir", ""), params.get("settings")
    if kind == "forbund":
        rep = forbund.open_report(params["forbund"], params["year"], data_dir, settings)
        return forbund.check_summary(rep) + "\n"
    if kind == "riket":
        return riket.check_summary(riket.open_report(params["year"], data_dir, settings)) + "\n"
    return indikator.check_summary(indikator.open_report(params["indicator"], data_dir, settings)) + "\n"


def update_template_checks(directory: Path | None = None, target: Path | None = None) -> list[str]:
    """Write the nbval reference copies of the templates (``tests/nbval/``).

    The templates in ``notebooks/`` are committed with every output stripped. nbval
    can only compare a cell that has a stored output, so each template has a
    reference copy with identical cells whose ``# NBVAL_CHECK_OUTPUT`` cell holds
    the expected line. Run ``python -m finsam.reports.checks`` after the demo data or the
    statistics change; ``pytest`` (with ``--nbval-lax``) then compares against it.
    """
    import nbformat

    directory = Path(directory or NOTEBOOKS_DIR)
    target = Path(target or REPO_ROOT / "tests" / "nbval")
    changed = []
    for name, kind in _TEMPLATES.items():
        nb = nbformat.read(directory / name, as_version=4)
        text = expected_check_output(kind, template_defaults(nb))
        for cell in nb.cells:
            if cell.cell_type == "code" and CHECK_MARKER in cell.source:
                cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
                cell.execution_count = 1
        content = nbformat.writes(nb) + "\n"
        path = target / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            atomic_write_text(path, content)
            changed.append(name)
    return changed


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    for _name in update_template_checks():
        print(f"Uppdaterade kontrollutdata i {_name}")


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    for _name in update_template_checks():
        print(f"Uppdaterade kontrollutdata i {_name}")
