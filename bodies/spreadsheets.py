"""Cells that go to spreadsheets, from every export of the registry (the open-data files and
the administration's exports alike).

Formula injection (OWASP ASVS 1.2.10): a text cell starting with `=`, `+`, `-`, `@`, a tab
or a carriage return would run as a formula in a spreadsheet; it is prefixed with `'`.
Numbers are not text and stay numbers. Carriage returns inside texts become line feeds.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(text: str) -> str:
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text.replace("\r\n", "\n").replace("\r", "\n")
