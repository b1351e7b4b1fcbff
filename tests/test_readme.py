"""The README is the front door: its commands and its code must stay true."""

import re
from pathlib import Path

from finsam.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_ci_runs_exactly_the_readme_setup_and_test_commands():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    bash = "\n".join(_blocks("bash"))
    assert '.venv/bin/python -m pip install -e ".[test]"' in bash
    setup = 'python3 -m venv .venv && .venv/bin/python -m pip install -e ".[test]"'
    assert setup + " && .venv/bin/finsam build" in bash
    assert setup + "\n" in ci
    assert "\n.venv/bin/python -m pytest\n" in "\n" + bash
    assert ci.rstrip().endswith(".venv/bin/python -m pytest")


def test_every_finsam_command_in_readme_exists():
    code = "\n".join(_blocks("bash")) + "\n" + "\n".join(re.findall(r"`([^`\n]+)`", README))
    used = set(re.findall(r"(?:^|[\s/])finsam ([a-z]+)", code, flags=re.M))
    assert used == set(main.commands)


def test_python_snippet_runs():
    (snippet,) = _blocks("python")
    namespace: dict = {}
    exec(compile(snippet, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    res = namespace["res"]
    assert set(res.questions(2023, "sundsvall")["forbund"]) == {"sundsvall"}
