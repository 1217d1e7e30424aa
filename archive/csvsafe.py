"""Write CSV that is safe to open in a spreadsheet: every writer in the project goes through `write_csv`.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula (CSV injection). As OWASP recommends, such a cell gets a leading single
quote, and every cell is quoted (embedded quotes doubled), so a separator inside a cell (`,` or the
`;` some locales use) can never start a new cell that would then be read as a formula.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The cell as a spreadsheet shows it as text: a leading single quote when it could start a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(rows: Iterable[dict], fieldnames: list[str], lineterminator: str = "\r\n") -> str:
    """CSV text with a header row, every cell quoted and neutralised; line breaks stay inside their cell."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames, quoting=csv.QUOTE_ALL, lineterminator=lineterminator)
    writer.writerow({name: neutralise(name) for name in fieldnames})
    for row in rows:
        writer.writerow({name: neutralise(value) for name, value in row.items()})
    return out.getvalue()
