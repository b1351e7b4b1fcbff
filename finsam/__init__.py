"""finsam – indicator reports for Swedish samordningsförbund (NNS "Indikatorer för finansiell samordning").

Public API (thin; implementation in the modules):

- :func:`load_catalog` – the survey catalogue (``data/catalog``)
- :func:`load_dataset` – a data directory or workbook in the aggregate format
- :class:`Settings` – every threshold and method choice (``finsam/settings.toml``)
"""

from .catalog import Catalog, load_catalog
from .io import Dataset, load_dataset
from .settings import DEFAULT_SETTINGS, Settings

__version__ = "0.1.0"

__all__ = ["Catalog", "Dataset", "DEFAULT_SETTINGS", "Settings", "load_catalog", "load_dataset", "__version__"]
