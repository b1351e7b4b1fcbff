"""The exception hierarchy: every error finsam raises on purpose is a :class:`FinsamError`.

Library modules raise; only :mod:`finsam.cli` prints the (Swedish) message and
chooses the exit code. Anything that is not a :class:`FinsamError` is a bug:
the command line shows its traceback and exits with code 1.
"""

from __future__ import annotations


class FinsamError(Exception):
    """Base class of finsam's own errors; the message is in Swedish and meant for the user.

    Attributes
    ----------
    exit_code : int
        The command line's exit code for this error (2: invalid input).
    """

    exit_code = 2


class SettingsError(FinsamError, ValueError):
    """Invalid or unknown settings."""


class InputError(FinsamError, ValueError):
    """Invalid options, parameters or templates (unknown förbund, year without data, …)."""
