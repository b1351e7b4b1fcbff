"""The build's record on disk: the manifest of every job's last run and the project's build lock.

``reports/.build-manifest.json`` holds, per report (path relative to
``reports/``):

* ``jobs``: the input digest of its last successful run;
* ``outputs``: the sha256 of the report file that run wrote (a report changed
  or truncated on disk since then runs again);
* ``failed``: a short Swedish reason when its last run failed (the previous
  good report, if any, is still on disk but out of date);

and ``quick``, the record of the last complete build (see :class:`Manifest`).

``reports/.build.lock`` is the advisory lock a running build holds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
from pathlib import Path

from . import hashing
from ._atomic import atomic_write_text
from .errors import FinsamError

#: The manifest of input hashes of the last successful run of each job.
MANIFEST = ".build-manifest.json"
#: The lock file of a running build (in ``reports/``); it holds the build's process id.
LOCK_FILE = ".build.lock"
#: Temporary files of atomic writes (:func:`finsam._atomic.atomic_path`): ``.<name>.<8 random><suffix>``.
_TEMPORARY = re.compile(r"\..+\.[a-z0-9_]{8}(\.[A-Za-z0-9]+)?")
#: Longest failure reason kept in the manifest (characters).
REASON_CHARS = 200


class BuildLockedError(FinsamError):
    """Another build of the same project is running (exit code 2)."""


@contextlib.contextmanager
def build_lock(reports: Path):
    """Hold the project's build lock (an advisory ``flock``, released by the kernel when the process dies).

    Raises
    ------
    BuildLockedError
        Another process holds it; the message names its process id.
    """
    reports.mkdir(parents=True, exist_ok=True)
    fd = os.open(reports / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "okänd"
            raise BuildLockedError(
                f"En annan build körs redan i {reports.parent} (process {pid}). "
                "Vänta tills den är klar och kör sedan igen.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)


def remove_temporary(reports: Path) -> None:
    """Delete temporary files an interrupted build left (only called while holding the lock)."""
    for path in reports.rglob(".*"):
        if path.is_file() and _TEMPORARY.fullmatch(path.name):
            path.unlink(missing_ok=True)


def content_digest(path: Path) -> str | None:
    """sha256 of a file's bytes, or None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def failure_reason(ename: str, evalue: str) -> str:
    """The short Swedish reason recorded for a failed report: the error's first line, bounded."""
    first = (str(evalue).strip().splitlines() or [""])[0]
    error = f"{ename}: {first}".rstrip(": ")
    if len(error) > REASON_CHARS:
        error = error[: REASON_CHARS - 1] + "…"
    return f"Senaste körningen misslyckades ({error}); rapporten är inte uppdaterad."


class Manifest:
    """The input digest, output hash and failure of each job, and the record of the last complete build.

    ``quick`` holds, for the last build that ran every planned job and wrote the
    site pages without a failure: the digest of every input's bytes
    (:func:`quick_digest`), the planned reports, and size and modification
    time of every file it left (reports and pages). A build whose inputs and
    outputs still match has nothing to do and stops before reading the data.
    """

    def __init__(self, reports: Path):
        self.reports = Path(reports)
        self.path = self.reports / MANIFEST
        self.jobs: dict[str, str] = {}
        self.outputs: dict[str, str] = {}
        self.failed: dict[str, str] = {}
        self.quick: dict = {}
        #: Set when reading recorded something new (the hash of a report an older finsam wrote).
        self.dirty = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") == 1:
                self.jobs = {str(k): str(v) for k, v in dict(data.get("jobs", {})).items()}
                self.outputs = {str(k): str(v) for k, v in dict(data.get("outputs", {})).items()}
                self.failed = {str(k): str(v) for k, v in dict(data.get("failed", {})).items()}
                self.quick = dict(data.get("quick", {}))
        except (OSError, ValueError, AttributeError, TypeError):
            self.jobs, self.outputs, self.failed, self.quick = {}, {}, {}, {}

    def save(self) -> None:
        data = {"format": 1, "jobs": self.jobs}
        for name in ("outputs", "failed", "quick"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        text = json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False)
        atomic_write_text(self.path, text + "\n")
        self.dirty = False

    # -- one job ---------------------------------------------------------------
    def up_to_date(self, key: str, digest: str) -> bool:
        """Whether report ``key`` was last built from inputs ``digest`` and is on disk as that run wrote it.

        A report recorded without an output hash (a manifest of an older finsam)
        is accepted as it is, and its hash recorded now.
        """
        if self.jobs.get(key) != digest:
            return False
        actual = content_digest(self.reports / key)
        if actual is None:
            return False
        if key not in self.outputs:
            self.outputs[key] = actual
            self.dirty = True
        return self.outputs[key] == actual

    def succeeded(self, key: str, digest: str) -> None:
        """Record a successful run of ``key`` (its output is on disk)."""
        self.jobs[key] = digest
        self.failed.pop(key, None)
        actual = content_digest(self.reports / key)
        if actual is None:
            self.outputs.pop(key, None)
        else:
            self.outputs[key] = actual

    def failed_run(self, key: str, ename: str, evalue: str) -> None:
        """Record a failed run of ``key``: it runs again next time, and the site can mark it out of date."""
        self.jobs.pop(key, None)
        self.outputs.pop(key, None)
        self.failed[key] = failure_reason(ename, evalue)
        self.quick = {}  # the last complete build is no longer what is on disk

    def known(self) -> set[str]:
        """Every report the manifest knows: built successfully or failed last time."""
        return set(self.jobs) | set(self.failed)

    def forget(self, key: str) -> None:
        """Drop everything recorded about ``key`` (its job no longer exists)."""
        for table in (self.jobs, self.outputs, self.failed):
            table.pop(key, None)

    # -- the whole build -------------------------------------------------------
    def unchanged(self, digest: str, root: Path) -> list[str] | None:
        """The planned reports if ``digest`` and every recorded output are as last time, else None."""
        if not self.quick or self.quick.get("digest") != digest:
            return None
        for rel, (size, mtime) in self.quick.get("outputs", {}).items():
            try:
                st = (root / rel).stat()
            except OSError:
                return None
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                return None
        planned = list(self.quick.get("planned", []))
        if any(not self.up_to_date(key, self.jobs.get(key, "")) for key in planned):
            return None  # a report's bytes changed with its size and time kept
        return planned

    def record(self, digest: str, root: Path, planned: list[str], files) -> None:
        outputs = {}
        for path in [root / "reports" / key for key in planned] + [Path(f) for f in files]:
            st = path.stat()
            outputs[path.relative_to(root).as_posix()] = [st.st_size, st.st_mtime_ns]
        self.quick = {"digest": digest, "planned": planned, "outputs": dict(sorted(outputs.items()))}
        self.save()


def failed_reports(root: str | Path) -> dict[str, str]:
    """Reports whose last run failed: path relative to ``reports/`` → short Swedish reason.

    The site marks them as out of date (the report on disk, if any, is from an
    earlier successful run). An unreadable or missing manifest means none.
    """
    return dict(sorted(Manifest(Path(root) / "reports").failed.items()))


def quick_digest(data, templates: dict[str, Path], settings, years, forbund, *, pages: bool = True,
                 prune: bool = False) -> str:
    """Digest of every input of a build, from bytes alone (nothing is parsed, pandas is not loaded)."""
    from ._paths import CATALOG_DIR, DEMO_DIR

    source = Path(data) if data not in (None, "") else DEMO_DIR
    return hashing.sha256(
        hashing.package_fingerprint(), hashing.tree_digest(source), hashing.tree_digest(CATALOG_DIR),
        *[f"{kind}={hashing.file_digest(path)}" for kind, path in sorted(templates.items())],
        settings.fingerprint(), json.dumps(sorted(int(y) for y in years)), json.dumps(sorted(forbund)),
        "pages" if pages else "no pages", "prune" if prune else "keep",
    )
