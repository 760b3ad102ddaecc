"""Imports through the administration (django-import-export): the registry's formats.

Spreadsheet cells computed by a formula are kept as `Formula`, never read as their cached
value: a formula saved without one (as some exports do) read as empty, which replaced
measured values with « missing ».
"""

from __future__ import annotations

from io import BytesIO

import tablib
from import_export.formats import base_formats


class Formula(str):
    """A spreadsheet cell computed by a formula: its text (`=B2*3`), never a value."""


class XLSX(base_formats.XLSX):
    """The library's XLSX format, reading formulas as `Formula` rather than their cached
    values (or None when the file has none)."""

    def create_dataset(self, in_stream):
        import openpyxl

        workbook = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=False)
        rows = workbook.active.rows
        dataset = tablib.Dataset()
        dataset.headers = [cell.value for cell in next(rows)]
        for row in rows:
            dataset.append(
                [Formula(cell.value) if cell.data_type == "f" else cell.value for cell in row]
            )
        return dataset


IMPORT_FORMATS = [base_formats.CSV, XLSX]
