"""The package's shape: a one-way import graph among finsam's modules.

The graph is built with :mod:`ast` from every ``finsam/**/*.py``, counting
every import (also those inside functions), so a lazy import cannot hide a
cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "finsam"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """Module → the finsam modules it imports."""
    modules = _modules()
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                # ``from . import fmt`` imports the module finsam.fmt, not the package.
                subs = [f"{source}.{a.name}" for a in node.names if f"{source}.{a.name}" in modules]
                targets = subs if len(subs) == len(node.names) else [source, *subs]
            else:
                continue
            deps |= {t for t in targets if t in modules and t != name}
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_among_finsam_modules():
    graph = import_graph()
    assert "finsam.io" in graph and "finsam.reports.forbund" in graph
    assert _cycles(graph) == []


def test_the_cycle_check_can_fail():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


def test_only_the_command_line_imports_click_for_messages():
    """Library modules raise; cli prints errors and chooses exit codes."""
    users = {name for name, path in _modules().items() if "click.echo" in path.read_text(encoding="utf-8")}
    # build prints its progress (not errors) while the workers run.
    assert users <= {"finsam.cli", "finsam.build", "finsam.results"}, users


def test_the_flow_is_one_way():
    """Data and statistics never import reports, build, site or the command line."""
    graph = import_graph()
    upper = {m for m in graph if m.startswith(("finsam.reports", "finsam.build", "finsam.site", "finsam.cli"))}
    lower = ["finsam.catalog", "finsam.reading", "finsam.validate", "finsam.io", "finsam.stats", "finsam.disclosure",
             "finsam.results", "finsam.cache", "finsam.tables", "finsam.figures", "finsam.texts", "finsam.codes"]
    for name in lower:
        reach, todo = set(), [name]
        while todo:
            for dep in graph[todo.pop()]:
                if dep not in reach:
                    reach.add(dep)
                    todo.append(dep)
        assert not reach & upper, (name, sorted(reach & upper))
    assert "finsam.reports.common" not in graph["finsam.site"]



#: The most lines a module may have (issue 12: one purpose per module).
MAX_LINES = 600


def _too_long(root: Path, limit: int) -> dict[str, int]:
    """Every ``*.py`` below ``root`` with more than ``limit`` lines: its path from ``root.parent`` → line count."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            out[path.relative_to(root.parent).as_posix()] = lines
    return out


def test_no_module_is_over_the_line_limit():
    too_long = _too_long(PACKAGE, MAX_LINES)
    assert too_long == {}


def test_the_line_limit_check_can_fail(tmp_path):
    package = tmp_path / "finsam"
    (package / "sub").mkdir(parents=True)
    (package / "short.py").write_text("x = 1\n" * MAX_LINES, encoding="utf-8")
    (package / "sub" / "long.py").write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    assert _too_long(package, MAX_LINES) == {"finsam/sub/long.py": MAX_LINES + 1}


def _closure(graph: dict[str, set[str]], roots: list[str]) -> set[str]:
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph[name])
    return seen


def test_the_results_cache_key_covers_every_module_the_results_import():
    """A module that shapes the cached results (transitively imported by them) is part of the cache key."""
    from finsam import cache

    graph = import_graph()
    modules = _modules()
    needed = {modules[m].resolve() for m in _closure(graph, ["finsam.results", "finsam.io"]) if m != "finsam"}
    covered = {p.resolve() for p in cache.code_files()}
    assert needed - covered == set(), sorted(p.name for p in needed - covered)
    assert (PACKAGE / "stats" / "intervals.py").resolve() in covered
