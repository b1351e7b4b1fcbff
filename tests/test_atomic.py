"""Atomic writes: all or nothing, usual file mode."""

import os
import stat

import pytest

from finsam._atomic import atomic_path, atomic_write_text


def test_failure_leaves_previous_file(tmp_path):
    target = tmp_path / "report.csv"
    atomic_write_text(target, "gammal\n")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("halv")
            raise RuntimeError("avbrott")
    assert target.read_text() == "gammal\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv"]


def test_mode_follows_umask(tmp_path):
    old = os.umask(0o022)
    try:
        import importlib

        import finsam._atomic as mod

        importlib.reload(mod)
        mod.atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644
