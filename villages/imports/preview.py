"""The admin's preview of an import: each row's fields as people read them, old → new where they change."""

from dataclasses import dataclass

from villages.history import field_text
from villages.imports.columns import COLUMNS_BY_KEY
from villages.imports.results import FIELDS
from villages.models import Village


@dataclass
class Cell:
    old: str
    new: str
    changed: bool


@dataclass
class PreviewRow:
    line: int
    code: str
    name: str
    cells: list
    sheet: str | None = None

    @property
    def changed(self):
        return any(cell.changed for cell in self.cells)


def shown_fields(result):
    """The fields the file gives, with those an import changes alongside them."""
    present = set(result.keys)
    fields = [name for name in FIELDS if name in present]
    if "lon" in present:
        fields.append("location_source")
    if "status" in present:
        fields.append("accepted_at")
    if any("return_reason" in row.changes for row in result.imported_rows):
        fields.append("return_reason")
    return fields


def preview(result):
    """(headings, rows) of the rows of a checked import that have no problems."""
    fields = shown_fields(result)
    rows = []
    for row in result.imported_rows:
        cells = []
        for name in fields:
            old = field_text(Village, name, row.village[name])
            new = field_text(Village, name, row.changes[name][1]) if name in row.changes else old
            cells.append(Cell(old, new, name in row.changes))
        rows.append(PreviewRow(row.line, row.village["code"], row.village["name"], cells, row.sheet))
    return [COLUMNS_BY_KEY[name].header for name in fields], rows
