"""finsam – indicator reports for Swedish samordningsförbund (NNS "Indikatorer för finansiell samordning").

Public API (thin; the implementation lives in the modules):

- :func:`load_catalog` – the survey catalogue (``data/catalog``)
- :func:`load_dataset` – a data directory or workbook in the aggregate format
- :func:`validate_path` – every problem of a data directory or workbook
- :class:`Settings` – every threshold and method choice (``finsam/settings.toml``)
- :func:`compute_all` – shares, intervals, comparisons and disclosure for a whole dataset
- :func:`compute_results` – the rows of the ``finsam results`` CSV
- :func:`build` – run every report (papermill) and write the site pages
- :class:`FinsamError` – base class of every error finsam raises on purpose
"""

from .errors import FinsamError
from .settings import DEFAULT_SETTINGS, Settings

__version__ = "0.1.0"

# Heavy modules (pandas, statsmodels, papermill) load on first use, so `finsam --help`
# and a build with nothing to do stay fast.
_LAZY = {
    "Catalog": ("catalog", "Catalog"),
    "load_catalog": ("catalog", "load_catalog"),
    "Dataset": ("io", "Dataset"),
    "DataValidationError": ("io", "DataValidationError"),
    "load_dataset": ("io", "load_dataset"),
    "compute_all": ("results", "compute_all"),
    "compute_results": ("results", "compute_results"),
    "Results": ("results", "Results"),
    "validate_path": ("validate", "validate_path"),
    "build": ("build", "build"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(f"module 'finsam' has no attribute {name!r}")


__all__ = ["DEFAULT_SETTINGS", "FinsamError", "Settings", *_LAZY, "__version__"]
