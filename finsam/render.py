"""Render the Quarto site: reports in parallel, incrementally, failures isolated.

Quarto renders one file after another in one process, and a partial render of
a report also re-renders every listing page that lists it. For a site of a few
hundred reports this module does better:

1. **Incremental.** Every input (report notebook, site page) has a digest: its
   bytes, the project configuration (``_quarto.yml``, ``_metadata.yml`` files,
   styles), the Quarto version, and for a page the files it includes and the
   reports or pages it lists. Only inputs whose digest changed since the last
   successful render, or whose HTML is missing, are rendered
   (``.finsam-render.json`` in the project keeps the digests).
2. **Parallel.** The reports to render are split into ``jobs`` disjoint sets.
   Each set is rendered by its own ``quarto render`` process in a private copy
   of the project (hard links, not copies, of the notebooks) whose render list
   holds just that set, so the processes never write the same file. Their
   outputs and search-index entries are then moved into the site.
3. **Pages alongside.** The pages that changed, or that list a re-rendered
   report, are rendered in the project itself by one more ``quarto render``
   process, at the same time as the reports.
4. **Isolated failures.** A set whose process fails is rendered again one report
   at a time; a report that fails alone is named with Quarto's message, keeps
   its previous output and is rendered again next time.

Files and folders starting with ``.`` or ``_`` are never site inputs (Quarto's
rule), so the working copies live in ``.finsam-render/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import yaml

from ._atomic import atomic_write_text
from .hashing import sha256

#: Digests of the inputs at their last successful render (in the project root).
STATE_FILE = ".finsam-render.json"
#: Private project copies of the render processes (in the project root).
WORK_DIR = ".finsam-render"
#: Quarto's default output directory of a website project.
DEFAULT_OUTPUT_DIR = "_site"
#: The one time stamp of the site (2000-01-01 00:00 UTC), so that the same inputs
#: give the same bytes: every site input gets it as modification time before the
#: pages are rendered (Quarto's listings write each listed file's mtime into the
#: page), and Quarto runs with ``SOURCE_DATE_EPOCH`` set to it (Typst writes it as
#: the PDF's creation date instead of the clock's time).
FIXED_EPOCH = 946684800
#: Characters of Quarto's error output kept per failure.
ERROR_TAIL = 1500

_INCLUDE = re.compile(r"\{\{<\s*include\s+([^\s>]+)\s*>\}\}")


@dataclass
class RenderResult:
    """What a render did.

    Attributes
    ----------
    reports, pages : list of str
        Inputs rendered (paths relative to the project root).
    unchanged : int
        Inputs skipped because their digest did not change.
    failed : dict
        Input → Quarto's message (the end of its error output).
    timings : dict
        Seconds from the start until the pages (``pages``) and the reports
        (``reports``) were done, and in all (``total``).
    """

    reports: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# the project
# ---------------------------------------------------------------------------
def _config(root: Path) -> dict:
    return yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8")) or {}


def output_dir(root: Path) -> str:
    """The project's ``output-dir`` from ``_quarto.yml`` (default ``_site``)."""
    try:
        project = _config(Path(root)).get("project") or {}
        return str(project.get("output-dir") or DEFAULT_OUTPUT_DIR)
    except (OSError, ValueError, AttributeError):
        return DEFAULT_OUTPUT_DIR


def _hidden(rel: PurePosixPath) -> bool:
    return any(part.startswith((".", "_")) for part in rel.parts)


def _inputs(root: Path, config: dict) -> list[str]:
    """The project's render list expanded (``!`` patterns exclude), sorted."""
    patterns = (config.get("project") or {}).get("render") or ["**/*.qmd", "**/*.ipynb"]
    found: set[str] = set()
    for pattern in patterns:
        if str(pattern).startswith("!"):
            continue
        for path in root.glob(str(pattern)):
            rel = PurePosixPath(path.relative_to(root).as_posix())
            if path.is_file() and not _hidden(rel):
                found.add(rel.as_posix())
    for pattern in patterns:
        if str(pattern).startswith("!"):
            found = {f for f in found if not PurePosixPath(f).match(str(pattern)[1:])}
    return sorted(found)


def html_path(rel: str) -> str:
    """The HTML a site input becomes (relative to the output directory)."""
    return PurePosixPath(rel).with_suffix(".html").as_posix()


def _shared_digest(root: Path, quarto_version: str) -> str:
    parts: list[bytes | str] = [quarto_version]
    for path in sorted(root.rglob("_metadata.yml")) + sorted([root / "_quarto.yml"]):
        rel = path.relative_to(root)
        if rel.parts[0] in (WORK_DIR,) or not path.is_file():
            continue
        parts += [rel.as_posix(), path.read_bytes()]
    for path in sorted(list(root.glob("*.scss")) + list(root.glob("*.css"))):
        parts += [path.name, path.read_bytes()]
    return sha256(*parts)


def _listed(root: Path, page: str, text: str, inputs: list[str]) -> list[str]:
    """Inputs a page's listings select (their ``contents`` globs, relative to the page)."""
    m = re.match(r"---\n(.*?)\n---", text, re.S)
    if not m:
        return []
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError:
        return []
    listings = meta.get("listing") or []
    listings = [listings] if isinstance(listings, dict) else listings
    base = PurePosixPath(page).parent
    out: set[str] = set()
    for listing in listings:
        contents = listing.get("contents") if isinstance(listing, dict) else None
        contents = [contents] if isinstance(contents, str) else (contents or [])
        include = [str(c) for c in contents if not str(c).startswith("!")]
        exclude = [str(c)[1:] for c in contents if str(c).startswith("!")]
        for rel in inputs:
            path = PurePosixPath(rel)
            if path == PurePosixPath(page) or not path.is_relative_to(base):
                continue
            inner = path.relative_to(base)
            if any(_glob_match(inner, g) for g in include) and not any(_glob_match(inner, g) for g in exclude):
                out.add(rel)
    return sorted(out)


def _glob_match(path: PurePosixPath, glob: str) -> bool:
    """Quarto listing globs: ``*`` within one folder, ``**`` across folders."""
    regex = re.escape(glob).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*").replace(r"\*", "[^/]*")
    return re.fullmatch(regex, path.as_posix()) is not None


def digests(root: Path, quarto_version: str = "") -> dict[str, str]:
    """The digest of every site input of the project at ``root``."""
    root = Path(root)
    config = _config(root)
    inputs = _inputs(root, config)
    shared = _shared_digest(root, quarto_version)
    out = {rel: sha256(shared, rel, (root / rel).read_bytes()) for rel in inputs if rel.endswith(".ipynb")}
    pages = [rel for rel in inputs if not rel.endswith(".ipynb")]
    texts = {rel: (root / rel).read_text(encoding="utf-8") for rel in pages}
    page_parts: dict[str, list] = {}
    for rel, text in texts.items():
        parts: list = [shared, rel, text]
        for inc in _INCLUDE.findall(text):
            inc_path = root / PurePosixPath(rel).parent / inc
            parts += [inc, inc_path.read_bytes() if inc_path.is_file() else b"-"]
        page_parts[rel] = parts
    # A page changes with what it lists: reports by digest, listed pages by their text.
    for rel, text in texts.items():
        listed = _listed(root, rel, text, inputs)
        extra = [f"{item}={out[item] if item.endswith('.ipynb') else sha256(texts[item])}" for item in listed]
        out[rel] = sha256(*page_parts[rel], *extra)
    return out


# ---------------------------------------------------------------------------
# state
# ---------------------------------------------------------------------------
def _read_state(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
        return dict(data.get("inputs", {})) if data.get("format") == 1 else {}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_state(root: Path, state: dict[str, str]) -> None:
    text = json.dumps({"format": 1, "inputs": dict(sorted(state.items()))}, indent=1, ensure_ascii=False)
    atomic_write_text(root / STATE_FILE, text + "\n")


# ---------------------------------------------------------------------------
# planning
# ---------------------------------------------------------------------------
def plan(root: Path, *, force: bool = False, quarto_version: str = "") -> tuple[list[str], list[str], dict, int]:
    """What to render: (reports, pages, new digests, number unchanged)."""
    root = Path(root)
    site = root / output_dir(root)
    state = {} if force else _read_state(root)
    new = digests(root, quarto_version)
    todo = [rel for rel, d in new.items() if state.get(rel) != d or not (site / html_path(rel)).is_file()]
    reports = [rel for rel in todo if rel.endswith(".ipynb")]
    pages = [rel for rel in todo if not rel.endswith(".ipynb")]
    return reports, pages, new, len(new) - len(todo)


def split(items: list[str], sizes: dict[str, int], n: int) -> list[list[str]]:
    """``items`` in at most ``n`` sets of about equal total size (largest first, greedy)."""
    n = max(1, min(n, len(items)))
    sets: list[list[str]] = [[] for _ in range(n)]
    load = [0] * n
    for item in sorted(items, key=lambda i: (-sizes.get(i, 0), i)):
        k = load.index(min(load))
        sets[k].append(item)
        load[k] += sizes.get(item, 0)
    return [sorted(s) for s in sets if s]


# ---------------------------------------------------------------------------
# working copies
# ---------------------------------------------------------------------------
def _link(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _html_hrefs(node):
    """The navbar with every ``.qmd``/``.ipynb`` target written as its ``.html``."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in ("href", "file", "url") and isinstance(value, str) and value.endswith((".qmd", ".ipynb")):
                out[key] = html_path(value)
            else:
                out[key] = _html_hrefs(value)
        return out
    if isinstance(node, list):
        return [_html_hrefs(v) for v in node]
    return node


def _working_copy(root: Path, work: Path, reports: list[str]) -> None:
    """A project at ``work`` that renders exactly ``reports`` and looks like ``root``.

    Root files (configuration, styles, pages) and every non-notebook file under
    the reports' folders are linked; of the notebooks only ``reports``. The
    render list is ``reports``; links in the navbar point at the HTML the root
    project renders (the pages themselves are not rendered here).
    """
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for path in root.iterdir():
        if path.is_file() and path.name != STATE_FILE:
            _link(path, work / path.name)
    if (root / "_extensions").is_dir():
        shutil.copytree(root / "_extensions", work / "_extensions", copy_function=os.link)
    wanted = set(reports)
    folders = {PurePosixPath(r).parts[0] for r in reports}
    for folder in sorted(folders):
        for path in sorted((root / folder).rglob("*")):
            rel = path.relative_to(root).as_posix()
            if not path.is_file() or rel.startswith(f"{folder}/data/"):
                continue
            if path.suffix == ".ipynb" and rel not in wanted:
                continue
            _link(path, work / rel)
    config = _config(root)
    config.setdefault("project", {})["render"] = list(reports)
    config["project"].pop("resources", None)  # copied into the site by the caller
    if isinstance(config.get("website"), dict):
        config["website"] = _html_hrefs(config["website"])
    (work / "_quarto.yml").unlink()
    (work / "_quarto.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _move_outputs(work_site: Path, site: Path, rel: str) -> bool:
    """Move the HTML, PDF and figure folder of ``rel`` into the site; False if there is no HTML."""
    html = work_site / html_path(rel)
    if not html.is_file():
        return False
    stem = PurePosixPath(rel).with_suffix("")
    for suffix in (".pdf", ".html"):
        src = work_site / stem.with_suffix(suffix)
        if src.is_file():
            (site / src.relative_to(work_site)).parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, site / src.relative_to(work_site))
    files = work_site / f"{stem}_files"
    if files.is_dir():
        target = site / f"{stem}_files"
        if target.exists():
            shutil.rmtree(target)
        os.replace(files, target)
    return True


def _merge_libs(work_site: Path, site: Path) -> None:
    libs = work_site / "site_libs"
    if not libs.is_dir():
        return
    for path in sorted(libs.rglob("*")):
        target = site / path.relative_to(work_site)
        if path.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def _search_docs(site: Path) -> list[dict]:
    try:
        docs = json.loads((site / "search.json").read_text(encoding="utf-8"))
        return docs if isinstance(docs, list) else []
    except (OSError, ValueError):
        return []


def _page_of(doc: dict) -> str:
    return str(doc.get("href", "")).split("#", 1)[0]


def _write_search(site: Path, docs: list[dict]) -> None:
    """Write the search index, ordered by page (each page's entries in Quarto's order)."""
    order = {id(d): k for k, d in enumerate(docs)}
    docs = sorted(docs, key=lambda d: (_page_of(d), order[id(d)]))
    atomic_write_text(site / "search.json", json.dumps(docs, ensure_ascii=False, indent=0) + "\n")


def _tail(text: str) -> str:
    text = (text or "").strip()
    return text[-ERROR_TAIL:] if len(text) > ERROR_TAIL else text


def _copy_resources(root: Path, site: Path, config: dict) -> None:
    """The project's ``resources`` globs, copied into the site (only files that changed)."""
    for pattern in (config.get("project") or {}).get("resources") or []:
        for path in sorted(root.glob(str(pattern))):
            if not path.is_file():
                continue
            target = site / path.relative_to(root)
            if target.is_file() and target.read_bytes() == path.read_bytes():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def _remove_stale(root: Path, site: Path, inputs: set[str], state: dict[str, str]) -> dict[str, str]:
    """Delete the outputs of inputs that are gone; their digests leave the state."""
    gone = sorted(set(state) - inputs)
    for rel in gone:
        stem = PurePosixPath(rel).with_suffix("")
        for suffix in (".html", ".pdf"):
            (site / stem.with_suffix(suffix)).unlink(missing_ok=True)
        shutil.rmtree(site / f"{stem}_files", ignore_errors=True)
    if gone:
        hrefs = {html_path(rel) for rel in gone}
        docs = _search_docs(site)
        _write_search(site, [d for d in docs if _page_of(d) not in hrefs])
    return {k: v for k, v in state.items() if k in inputs}


# ---------------------------------------------------------------------------
# render
# ---------------------------------------------------------------------------
def quarto_env() -> dict[str, str]:
    """The environment for Quarto: ours, with ``SOURCE_DATE_EPOCH`` fixed unless the user set it."""
    env = dict(os.environ)
    env.setdefault("SOURCE_DATE_EPOCH", str(FIXED_EPOCH))
    return env


def quarto_version(quarto: str) -> str:
    """Quarto's version: its ``share/version`` file, else ``quarto --version`` (a second of start-up)."""
    share = Path(quarto).resolve().parent.parent / "share" / "version"
    if share.is_file():
        return share.read_text(encoding="utf-8").strip()
    try:
        return subprocess.run([quarto, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ""


def render(root, *, quarto: str, jobs: int = 1, force: bool = False, echo=None) -> RenderResult:
    """Render what changed in the Quarto project at ``root``.

    The report processes and the pages process run at the same time: the pages
    need only the notebooks (their listings read the front matter), not the
    reports' HTML. The reports' outputs and search entries are merged into the
    site after the pages process has ended, so no two processes ever write the
    same file.

    Parameters
    ----------
    root : path
        The project (with ``_quarto.yml``).
    quarto : str
        The ``quarto`` executable.
    jobs : int
        Render processes for the reports (the pages get one more).
    force : bool
        Render every input, changed or not.
    echo : callable, optional
        Receives progress lines (Swedish).

    Returns
    -------
    RenderResult
    """
    t0 = time.perf_counter()
    root = Path(root).resolve()
    say = echo or (lambda line: None)
    config = _config(root)
    site = root / output_dir(root)
    version = quarto_version(quarto)
    env = quarto_env()
    reports, pages, new, unchanged = plan(root, force=force, quarto_version=version)
    result = RenderResult(unchanged=unchanged)
    state = _remove_stale(root, site, set(new), _read_state(root))
    if not reports and not pages:
        _copy_resources(root, site, config)
        _write_state(root, state)
        return result
    site.mkdir(parents=True, exist_ok=True)
    for rel in new:  # listings print the mtime of what they list
        os.utime(root / rel, (FIXED_EPOCH, FIXED_EPOCH))

    sets = split(reports, {rel: (root / rel).stat().st_size for rel in reports}, jobs) if reports else []
    work_root = root / WORK_DIR
    procs = []
    for k, chunk in enumerate(sets):
        work = work_root / f"w{k}"
        _working_copy(root, work, chunk)
        procs.append((chunk, work, _start(quarto, [], work, env)))
    pages_proc = _start(quarto, pages, root, env) if pages else None
    parts = []
    if reports:
        parts.append(f"{len(reports)} {'rapport' if len(reports) == 1 else 'rapporter'} "
                     f"({len(sets)} {'process' if len(sets) == 1 else 'processer'})")
    if pages:
        parts.append(f"{len(pages)} {'sida' if len(pages) == 1 else 'sidor'}")
    say("Renderar " + " och ".join(parts) + " …")

    # The pages first: their process writes the site's search index and libraries.
    if pages_proc is not None:
        _, err = pages_proc.communicate()
        done = list(pages) if pages_proc.returncode == 0 else []
        if pages_proc.returncode:  # each page alone, to name the failing one
            for rel in pages:
                one = subprocess.run([quarto, "render", rel, "--quiet"], cwd=root, capture_output=True, text=True,
                                     env=env)
                if one.returncode == 0:
                    done.append(rel)
                else:
                    result.failed[rel] = _tail(one.stderr) or f"Quarto avslutades med kod {one.returncode}."
        state.update({rel: new[rel] for rel in done})
        result.pages = done
        result.timings["pages"] = time.perf_counter() - t0

    docs = _search_docs(site)
    retry: list[str] = []
    for chunk, work, proc in procs:
        _, err = proc.communicate()
        done = _collect(work, site, chunk, docs)
        state.update({rel: new[rel] for rel in done})
        result.reports += done
        missing = [rel for rel in chunk if rel not in done]
        if proc.returncode == 0 and missing:
            result.failed.update({rel: _tail(err) or "Quarto skrev ingen HTML-fil." for rel in missing})
        else:
            retry += missing
    if reports:
        result.timings["reports"] = time.perf_counter() - t0
    # A failed set: each of its reports alone, so that the failing one is named.
    for rel in retry:
        work = work_root / "single"
        _working_copy(root, work, [rel])
        proc = subprocess.run([quarto, "render", "--quiet"], cwd=work, capture_output=True, text=True, env=env)
        if _collect(work, site, [rel], docs):
            state[rel] = new[rel]
            result.reports.append(rel)
        else:
            result.failed[rel] = _tail(proc.stderr) or f"Quarto avslutades med kod {proc.returncode}."
    result.reports.sort()
    _write_search(site, docs)
    shutil.rmtree(work_root, ignore_errors=True)
    _copy_resources(root, site, config)
    _write_state(root, state)
    result.timings["total"] = time.perf_counter() - t0
    return result


def _start(quarto: str, inputs: list[str], cwd: Path, env: dict) -> subprocess.Popen:
    """``quarto render [inputs] --quiet`` in ``cwd``, running (no inputs: the whole project)."""
    return subprocess.Popen([quarto, "render", *inputs, "--quiet"], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _collect(work: Path, site: Path, chunk: list[str], docs: list[dict]) -> list[str]:
    """Move the finished reports of a working copy into the site; returns those moved."""
    work_site = work / output_dir(work)
    done = [rel for rel in chunk if _move_outputs(work_site, site, rel)]
    if done:
        _merge_libs(work_site, site)
        hrefs = {html_path(rel) for rel in done}
        docs[:] = [d for d in docs if _page_of(d) not in hrefs]
        docs += [d for d in _search_docs(work_site) if _page_of(d) in hrefs]
    return done
