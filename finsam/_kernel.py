"""Warm Jupyter kernels: one long-lived kernel executes many notebooks.

Starting a kernel and importing pandas, matplotlib and seaborn costs several
seconds per notebook and dominates the build. A :class:`WarmKernel` is started
once, imports the heavy modules once, and before each notebook resets
everything a notebook can change (user namespace, execution counter,
matplotlib figures and rcParams, pandas and numpy options, warning filters and
registries, IPython display formatters, environment, ``sys.path``, working
directory), so that the executed notebook equals a fresh-kernel run. What
survives a reset is frozen for the garbage collector (``gc.freeze``), so a
notebook's collections scan only the notebook's own objects.

:class:`WarmEngine` is a papermill engine that runs a notebook in such a
kernel; papermill does everything else (parameter injection, error handling)
exactly as with its default engine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import textwrap

from nbclient.util import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine
from papermill.utils import merge_kwargs, remove_args

#: Kernel used for every notebook (templates may be stripped of their kernelspec).
KERNEL_NAME = "python3"

#: Modules imported when a kernel starts (besides those the templates import).
BASE_MODULES = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "seaborn", "finsam")

#: Messages that identify a failed kernel start (papermill#239, #511: port race).
_START_FAILURES = ("address already in use", "kernel died before", "kernel didn't respond", "timeout waiting for kernel")

# Runs once in the kernel, inside a private module (not the user namespace):
# imports the modules, warms matplotlib's font cache, then snapshots the state
# that reset() restores before each notebook.
_WARMUP = textwrap.dedent(
    """
    import copy, gc, importlib, io, os, sys, warnings

    GC_FULL_EVERY = 16

    for _name in MODULES:
        try:
            importlib.import_module(_name)
        except Exception:
            pass

    # Load the (inline) backend now, as a notebook's first figure would: it
    # registers the figure formatters and hooks that the snapshot must include.
    # Drawing once loads the font cache.
    if "matplotlib.pyplot" in sys.modules:
        try:
            _plt = sys.modules["matplotlib.pyplot"]
            _fig = _plt.figure()
            _fig.subplots().plot([0, 1], [0, 1])
            _fig.savefig(io.BytesIO(), format="png")
            _plt.close("all")
            del _fig, _plt
        except Exception:
            pass

    _ip = get_ipython()
    _environ = dict(os.environ)
    _sys_path = list(sys.path)
    _filters = list(warnings.filters)
    _formatters = {
        key: (dict(f.type_printers), dict(f.deferred_printers), f.enabled)
        for key, f in _ip.display_formatter.formatters.items()
    }

    def _mpl():
        return sys.modules.get("matplotlib")

    _rc = dict(_mpl().rcParams) if _mpl() else None

    def _inline_config():
        mod = sys.modules.get("matplotlib_inline.config")
        return mod.InlineBackend.instance() if mod else None

    _inline = _inline_config()
    _inline_values = (
        {k: copy.deepcopy(getattr(_inline, k)) for k in _inline.trait_names(config=True)} if _inline else None
    )

    def _pandas_options():
        pd = sys.modules.get("pandas")
        if pd is None:
            return None
        from pandas._config import config as _cfg
        return {k: _cfg.get_option(k) for k in _cfg._registered_options}

    _pd_options = _pandas_options()
    _resets = 0
    _gc_threshold = gc.get_threshold()
    _np = sys.modules.get("numpy")
    _np_print = _np.get_printoptions() if _np else None
    _np_err = _np.geterr() if _np else None

    def reset(cwd):
        plt = sys.modules.get("matplotlib.pyplot")
        if plt is not None:
            plt.close("all")
        _ip.reset(new_session=True)
        _ip.execution_count = 1
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(_environ)
        sys.path[:] = _sys_path
        warnings.filters[:] = _filters
        warnings._filters_mutated()
        for key, (types, deferred, enabled) in _formatters.items():
            f = _ip.display_formatter.formatters.get(key)
            if f is not None:
                f.type_printers.clear()
                f.type_printers.update(types)
                f.deferred_printers.clear()
                f.deferred_printers.update(deferred)
                f.enabled = enabled
        if _inline is not None:
            for k, v in _inline_values.items():
                if getattr(_inline, k) != v:
                    setattr(_inline, k, copy.deepcopy(v))
        mpl = _mpl()
        if mpl is not None and _rc is not None:
            current = mpl.rcParams
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for k in [k for k in dict.keys(current) if k not in _rc]:
                    dict.__delitem__(current, k)
                for k, v in _rc.items():
                    if dict.__getitem__(current, k) != v:
                        dict.__setitem__(current, k, v)
        if _pd_options is not None:
            from pandas._config import config as _cfg
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for k, v in _pd_options.items():
                    if _cfg.get_option(k) != v:
                        _cfg.set_option(k, v)
        if _np is not None:
            _np.set_printoptions(**_np_print)
            _np.seterr(**_np_err)
        # What survives the reset (modules, the results cache, drawn legends and
        # figure skeletons) mostly lives until the kernel stops: collect the
        # previous notebook's cycles, then move the survivors out of the
        # collector's reach, so that the collections a notebook triggers scan
        # only its own objects. Every GC_FULL_EVERY resets the frozen objects
        # are collected too: a frozen object that became cyclic garbage (a
        # figure skeleton dropped from its cache) waits until then.
        global _resets
        _resets += 1
        gc.enable()
        gc.set_threshold(*_gc_threshold)
        if _resets % GC_FULL_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()
    """
)


class KernelStartError(RuntimeError):
    """The kernel could not be started (twice)."""


def is_start_failure(exc: BaseException) -> bool:
    """Whether ``exc`` looks like a failed kernel start (worth one retry)."""
    try:
        import zmq

        if isinstance(exc, zmq.error.ZMQError):
            return True
    except ImportError:  # pragma: no cover
        pass
    if isinstance(exc, (TimeoutError, KernelStartError)):
        return True
    text = str(exc).lower()
    return any(s in text for s in _START_FAILURES)


class WarmKernel:
    """One long-lived IPython kernel with the heavy modules imported.

    Parameters
    ----------
    cwd : str
        Working directory of every notebook run in this kernel.
    modules : sequence of str
        Modules to import at start (in addition to :data:`BASE_MODULES`).
    startup_timeout : float
        Seconds to wait for the kernel to answer.
    """

    def __init__(self, cwd: str, modules=(), startup_timeout: float = 60):
        self.cwd = str(cwd)
        self.modules = list(dict.fromkeys([*BASE_MODULES, *modules]))
        self.startup_timeout = startup_timeout
        self.km = None
        self.kc = None
        self.runs = 0

    # -- lifecycle ----------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def start(self) -> None:
        """Start the kernel and run the warm-up; retry once on a failed start."""
        try:
            self._start_once()
        except Exception as exc:  # noqa: BLE001 - one retry, then give up
            self.shutdown()
            try:
                self._start_once()
            except Exception as exc2:  # noqa: BLE001
                self.shutdown()
                raise KernelStartError(f"kärnan kunde inte startas: {exc2} (första försöket: {exc})") from exc2

    def _start_once(self) -> None:
        from jupyter_client.manager import AsyncKernelManager

        # IPC (Unix sockets) instead of TCP ports: no port race between workers.
        if os.name == "posix":
            self._ipc_dir = tempfile.mkdtemp(prefix="finsam-kernel-")
            self.km = AsyncKernelManager(
                kernel_name=KERNEL_NAME, transport="ipc", ip=os.path.join(self._ipc_dir, "k")
            )
        else:  # pragma: no cover - Windows has no Unix sockets
            self.km = AsyncKernelManager(kernel_name=KERNEL_NAME)
        run_sync(self.km.start_kernel)(
            cwd=self.cwd,
            # No history database: reset(new_session=True) with the in-memory database can
            # hang after executions that stored history; outputs do not depend on it.
            extra_arguments=["--HistoryManager.enabled=False"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        code = (
            "def __finsam_warm():\n"
            "    import sys, types\n"
            "    mod = types.ModuleType('_finsam_warm')\n"
            "    mod.__dict__['get_ipython'] = get_ipython\n"
            f"    mod.__dict__['MODULES'] = {self.modules!r}\n"
            f"    exec({_WARMUP!r}, mod.__dict__)\n"
            "    sys.modules['_finsam_warm'] = mod\n"
            "__finsam_warm()\n"
            "del __finsam_warm\n"
        )
        self._run(code, timeout=max(self.startup_timeout, 120))
        self.runs = 0

    def shutdown(self) -> None:
        """Stop the kernel (quietly; it may already be dead)."""
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        except Exception:  # noqa: BLE001
            pass
        try:
            if self.km is not None:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001
            pass
        self.km = None
        self.kc = None
        if getattr(self, "_ipc_dir", None):
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._ipc_dir = None

    def restart(self) -> None:
        self.shutdown()
        self.start()

    # -- per notebook -------------------------------------------------------
    def reset(self) -> None:
        """Bring the kernel back to its just-started state (modules stay imported)."""
        self._run(f"__import__('sys').modules['_finsam_warm'].reset({self.cwd!r})", timeout=60)

    def client(self):
        """The kernel's one client, connected and ready (created on first use).

        One client serves the resets and every notebook: a new client costs
        about 0.2 s (``wait_for_ready`` drains IOPub), and messages left from an
        earlier notebook are ignored by their parent id.
        """
        if self.kc is None:
            kc = self.km.client()
            kc.start_channels()
            run_sync(kc.wait_for_ready)(timeout=self.startup_timeout)
            kc.allow_stdin = False
            self.kc = kc
        return self.kc

    def _run(self, code: str, timeout: float) -> None:
        """Execute ``code`` silently (no history, no counter) and check the reply."""
        kc = self.client()
        msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        while True:
            reply = run_sync(kc.get_shell_msg)(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(
                f"fel i kärnans förberedelse: {content.get('ename')}: {content.get('evalue')}"
            )


class WarmEngine(NBClientEngine):
    """papermill engine: run the notebook in the :class:`WarmKernel` passed as ``warm_kernel``."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        warm_kernel: WarmKernel | None = None,
        **kwargs,
    ):
        if warm_kernel is None:
            raise ValueError("WarmEngine needs warm_kernel=")
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=__import__("papermill.log", fromlist=["logger"]).logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        warm_kernel.reset()
        client = PapermillNotebookClient(nb_man, km=warm_kernel.km, **final_kwargs)
        client.kc = warm_kernel.client()  # setup_kernel then neither starts a kernel nor a client
        try:
            return client.execute()
        finally:
            warm_kernel.runs += 1


def register_engine(name: str = "finsam-warm") -> str:
    """Register :class:`WarmEngine` with papermill (idempotent); return its name."""
    from papermill.engines import papermill_engines

    papermill_engines.register(name, WarmEngine)
    return name
