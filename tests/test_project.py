"""A finsam project is a folder (issue 13): ``finsam init``, ``--project``, outputs inside the project only."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner

from finsam import cli
from finsam._paths import DEMO_DIR
from finsam.cli import main
from finsam.project import PROJECT_FILES, default_data, init_project, project_data, project_root, ProjectError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _tree(path: Path) -> dict[str, tuple[int, int]]:
    """Every file below ``path`` with its size and modification time."""
    out = {}
    for p in sorted(path.rglob("*")):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(path).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


def test_init_writes_the_site_pages_and_a_data_readme(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "proj")])
    assert result.exit_code == 0, result.output
    proj = tmp_path / "proj"
    for name in PROJECT_FILES:
        assert (proj / name).read_bytes() == (REPO / name).read_bytes()
    readme = (proj / "data" / "README.md").read_text(encoding="utf-8")
    assert "finsam template" in readme and "min_forbund_national" in readme
    assert sorted(p.name for p in proj.iterdir()) == sorted([*PROJECT_FILES, "data", ".gitignore"])
    assert "Projekt skapat i" in result.output


def test_init_keeps_what_the_user_changed(tmp_path):
    init_project(tmp_path)
    (tmp_path / "index.qmd").write_text("egen text\n", encoding="utf-8")
    written, kept = init_project(tmp_path)
    assert written == [] and tmp_path / "index.qmd" in kept
    assert (tmp_path / "index.qmd").read_text(encoding="utf-8") == "egen text\n"


def test_commands_that_write_need_a_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--no-render"])
    assert result.exit_code == 2
    assert "ingen finsam-projektmapp" in result.output and "finsam init" in result.output
    result = CliRunner().invoke(main, ["report", "--forbund", "x", "--year", "2023", "--project", "saknas"])
    assert result.exit_code == 2 and "finns inte" in result.output
    with pytest.raises(ProjectError):
        project_root(tmp_path)


def test_the_project_data_are_its_csv_files_or_its_one_workbook(tmp_path):
    init_project(tmp_path)
    assert project_data(tmp_path) is None and default_data(tmp_path) == DEMO_DIR
    (tmp_path / "data" / "svar.xlsx").write_bytes(b"")
    (tmp_path / "data" / "~$svar.xlsx").write_bytes(b"")  # Excel's lock file is not data
    assert project_data(tmp_path) == tmp_path / "data" / "svar.xlsx"
    (tmp_path / "data" / "andra.xlsx").write_bytes(b"")
    with pytest.raises(ProjectError, match="Flera arbetsböcker"):
        project_data(tmp_path)
    (tmp_path / "data" / "forbund.csv").write_text("forbund,name\n", encoding="utf-8")
    assert project_data(tmp_path) == tmp_path / "data"


def test_the_repository_checkout_is_the_demo_project():
    assert project_root(REPO) == REPO and default_data(REPO) == DEMO_DIR


def test_cache_lives_in_the_project(tmp_path, monkeypatch):
    from finsam.cache import cache_dir

    monkeypatch.delenv("FINSAM_CACHE_DIR", raising=False)
    init_project(tmp_path)
    assert cache_dir(tmp_path) == tmp_path / ".finsam-cache"
    monkeypatch.chdir(tmp_path)
    assert cache_dir() == tmp_path / ".finsam-cache"


def test_report_paths_are_shown_from_where_the_user_stands(tmp_path, monkeypatch, capsys):
    from finsam import build as B
    from finsam._runner import Job, Outcome

    init_project(tmp_path / "proj")
    job = Job("forbund", "2023/alfa.ipynb", "2023 alfa", "t", "t", {}, "", "d")
    seen = {}

    def fake(*a, **k):
        seen.update(k)
        return job, Outcome(job.key, True, 1.0)

    monkeypatch.setattr(B, "run_report", fake)
    monkeypatch.chdir(tmp_path)
    assert cli.report_command(data=None, forbund="alfa", year=2023, pdf=False, settings_file=None,
                              project=Path("proj")) == 0
    assert seen["root"] == (tmp_path / "proj").resolve()
    captured = capsys.readouterr()
    assert "Rapport skriven: proj/reports/2023/alfa.ipynb" in captured.out
    assert "demodata används" in captured.err


@pytest.mark.slow
def test_installed_wheel_init_and_build_in_an_empty_folder(tmp_path):
    """The built wheel, installed (not editable) in a fresh venv: init + build write only into the project.

    The fresh venv gets finsam from the wheel and the dependencies from the
    test's own environment (a path entry after its site-packages), so no index
    is needed.
    """
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-q", "-w", str(wheels)],
                   check=True, capture_output=True)
    (wheel,) = wheels.glob("finsam-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    (site / "zz_finsam_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    package = site / "finsam"
    assert (package / "_project" / "_quarto.yml").is_file()
    before = _tree(site)

    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "home").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("FINSAM_CACHE_DIR", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HOME=str(tmp_path / "home"), MPLCONFIGDIR=str(tmp_path / "home" / "mpl"), PATH=os.environ["PATH"])
    finsam = str(env_dir / "bin" / "finsam")
    where = subprocess.run([str(py), "-c", "import finsam; print(finsam.__file__)"], cwd=work, env=env,
                           check=True, capture_output=True, text=True).stdout.strip()
    assert Path(where).parent == package  # the installed wheel, not the checkout
    init = subprocess.run([finsam, "init", "proj"], cwd=work, env=env, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    proj = work / "proj"
    build = subprocess.run([finsam, "build", "--no-render", "--year", "2024", "--forbund", "riket",
                            "--forbund", "blekinge", "--jobs", "1"],
                           cwd=proj, env=env, capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    assert "2 rapporter körda" in build.stdout
    assert (proj / "reports" / "2024" / "blekinge.ipynb").is_file()
    assert (proj / "reports" / "2024" / "riket.ipynb").is_file()
    assert (proj / ".finsam-cache").is_dir()
    assert sorted(p.name for p in work.iterdir()) == ["proj"]
    assert _tree(site) == before, "the build wrote into the installed package"
    assert "TCP" not in build.stderr and "Warning" not in build.stderr
