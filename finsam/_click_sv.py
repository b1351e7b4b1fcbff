"""Swedish texts for click's own messages (help headings, usage errors).

click marks its messages with gettext but ships no Swedish catalogue; this
module installs a small translation table into click's modules. Messages not
in the table stay in English.
"""

from __future__ import annotations

import importlib

_SV = {
    "Usage:": "Användning:",
    "Options": "Flaggor",
    "Commands": "Kommandon",
    "Positional arguments": "Argument",
    "Show this message and exit.": "Visa den här hjälpen och avsluta.",
    "Show the version and exit.": "Visa versionen och avsluta.",
    "Error: {message}": "Fel: {message}",
    "Try '{command} {option}' for help.": "Skriv '{command} {option}' för hjälp.",
    "Missing argument": "Argument saknas",
    "Missing option": "Flagga saknas",
    "Missing parameter": "Parameter saknas",
    "Missing parameter: {param_name}": "Parameter saknas: {param_name}",
    "Missing {param_type}": "{param_type} saknas",
    "Missing command.": "Kommando saknas.",
    "No such command {name!r}.": "Kommandot {name!r} finns inte.",
    "No such option {name!r}.": "Flaggan {name!r} finns inte.",
    "Invalid value for {param_hint}: {message}": "Ogiltigt värde för {param_hint}: {message}",
    "Invalid value: {message}": "Ogiltigt värde: {message}",
    "Aborted!": "Avbrutet!",
    "default: {default}": "standard: {default}",
    "required": "obligatorisk",
    "{value!r} is not a valid {number_type}.": "{value!r} är inte ett giltigt {number_type}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finns inte.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} är en katalog.",
    "{name} {filename!r} is a file.": "{name} {filename!r} är en fil.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} går inte att läsa.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} går inte att skriva.",
    "file": "Filen",
    "directory": "Katalogen",
    "path": "Sökvägen",
    "Option {name!r} does not take a value.": "Flaggan {name!r} tar inget värde.",
    "Got unexpected extra argument ({args})": "Oväntat extra argument ({args})",
    "Got unexpected extra arguments ({args})": "Oväntade extra argument ({args})",
    "Option {name!r} requires an argument.": "Flaggan {name!r} kräver ett värde.",
    "Option {name!r} requires {nargs} arguments.": "Flaggan {name!r} kräver {nargs} värden.",
    "{value!r} is not {choice}.": "{value!r} är inte {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} är inte något av {choices}.",
    "Did you mean {possibility}?": "Menade du {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Menade du något av: {possibilities}?)",
}
_NUMBER_TYPES = {"integer": "heltal", "float": "decimaltal"}


def _gettext(message: str) -> str:
    return _SV.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def install() -> None:
    """Install the Swedish table into click's modules (idempotent)."""
    for name in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui"):
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext
    types = importlib.import_module("click.types")
    types.IntParamType.name = _NUMBER_TYPES["integer"]
    types.StringParamType.name = "text"
    core = importlib.import_module("click.core")
    defaults = list(core.Command.__init__.__defaults__ or ())
    if "[OPTIONS]" in defaults:
        defaults[defaults.index("[OPTIONS]")] = "[FLAGGOR]"
        core.Command.__init__.__defaults__ = tuple(defaults)
    types.FloatParamType.name = _NUMBER_TYPES["float"]
