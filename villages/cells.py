"""Cells of the spreadsheets the app writes (village export, import template, dashboard ledger).

Text that starts like a formula is written with a leading ' so that no spreadsheet runs it (CSV/formula
injection); the import removes that ' again.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value):
    """What we write for a cell, so that no spreadsheet treats it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values):
    return [escape_formula(value) for value in values]
