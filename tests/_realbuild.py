"""One real build shared by the test modules: the REAL templates on tests/fixtures/valid.

``real_build(tmp_path_factory)`` runs it the first time it is called in a test
session and returns the same root afterwards, so test_site.py and
test_build.py share one papermill run (about 8 notebooks).

The build: 2 förbund (alfa, beta) × 2 years (2022, 2023) + riket per year via
:func:`finsam.build.build` (2 warm workers), one indicator page (indicator 1)
through the same runner, then :func:`finsam.site.write_pages`; the site's root
files (_quarto.yml, theme.scss, index/metod/data.qmd) are copied next to it, so
the root is a complete Quarto project.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "valid"
SITE_FILES = ("_quarto.yml", "theme.scss", "index.qmd", "metod.qmd", "data.qmd")
INDICATOR = 1
#: Reports of the build, relative to reports/.
REPORT_KEYS = (
    "2022/alfa.ipynb", "2022/beta.ipynb", "2022/riket.ipynb",
    "2023/alfa.ipynb", "2023/beta.ipynb", "2023/riket.ipynb",
    f"indikatorer/{INDICATOR}.ipynb",
)


@dataclass
class RealBuild:
    root: Path
    result: object  # finsam.build.BuildResult of the förbund × year + riket part
    indicator_ok: bool
    indicator_error: object

    @property
    def reports(self) -> Path:
        return self.root / "reports"


_CACHE: dict[str, RealBuild] = {}


def real_build(tmp_path_factory) -> RealBuild:
    """The session's real build (built on first use)."""
    if "build" not in _CACHE:
        _CACHE["build"] = _make(tmp_path_factory.mktemp("realbuild"), tmp_path_factory.mktemp("realbuild-cache"))
    return _CACHE["build"]


def _make(root: Path, cache: Path) -> RealBuild:
    from finsam import build as B
    from finsam._runner import RunOptions, run_jobs
    from finsam.io import load_dataset
    from finsam.settings import DEFAULT_SETTINGS
    from finsam.site import write_pages

    templates = {k: B.NOTEBOOKS_DIR / f for k, f in B.TEMPLATE_FILES.items()}
    missing = [str(p) for p in templates.values() if not p.is_file()]
    if missing:
        pytest.fail(f"the report templates are part of the repository: {missing}")
    shutil.copytree(FIXTURE, root / "data")
    for name in SITE_FILES:
        shutil.copy(REPO / name, root / name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FINSAM_CACHE_DIR", str(cache))  # the kernels inherit it
        result = B.build(
            root / "data", root=root, render=False, write_pages=False, progress=False, jobs=2,
            templates={k: templates[k] for k in ("forbund", "riket")},
        )
        ds = load_dataset(root / "data")
        jobs = B.plan_jobs(ds, settings=DEFAULT_SETTINGS, templates={"indikator": templates["indikator"]}, root=root)
        job = next(j for j in jobs if j.parameters["indicator"] == INDICATOR)
        options = RunOptions(reports_dir=str(root / "reports"), cwd=str(root), warm=False)
        (outcome,) = run_jobs([job], options, 1)
    write_pages(ds, DEFAULT_SETTINGS, root)
    return RealBuild(root, result, outcome.ok, outcome.error)
