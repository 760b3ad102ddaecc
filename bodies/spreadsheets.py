"""Cells that go to spreadsheets, from every export of the registry (the open-data files and
the administration's exports alike).

Formula injection (OWASP ASVS 1.2.10): a text cell starting with `=`, `+`, `-`, `@`, a tab
or a carriage return — after any spaces, which some spreadsheets skip — would run as a
formula; it is prefixed with `'`. A number (`-3`, `+33`) stays a number. Carriage returns
inside texts become line feeds; other control characters, which no spreadsheet holds (an
XLSX file refuses them), are dropped.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LEADING_SPACES = " \u00a0"
# `\Z`, not `$`: "-5\n" is text, as PostgreSQL's `$` (the COPY path) also says.
NUMBER = re.compile(r"^[+-]?[0-9]+([.,][0-9]+)?\Z")
CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")


def neutralised(text: str) -> str:
    if text.lstrip(LEADING_SPACES).startswith(FORMULA_STARTS) and not NUMBER.match(text):
        text = "'" + text
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def restored(text: str) -> str:
    """A cell read back from one of our files: the `'` that `neutralised` put before a
    formula-like text is taken off again, so that exporting and importing a file changes
    nothing (a phone « +33 4 76 … » stays itself)."""
    if text.startswith("'") and neutralised(text[1:]) == text:
        return text[1:]
    return text
