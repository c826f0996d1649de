"""What an import works on and produces: the fields it may change, its problems and its rows."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from villages import workflow
from villages.models import Village

# The village fields an import may change, in the order the preview shows them: what a file gives, and what the
# workflow sets with it (a location's source, the acceptance time, the return reason cleared).
FIELDS = workflow.IMPORTED
LOADED = [f.attname for f in Village._meta.concrete_fields if f.attname != "updated_at"]


@dataclass
class Problem:
    line: int | None
    column: str | None
    message: str
    sheet: str | None = None  # None for a CSV

    def __str__(self):
        if self.line is None:
            return self.message
        values = {"sheet": self.sheet, "row": self.line, "column": self.column, "message": self.message}
        if self.sheet is not None:
            if self.column is None:
                return _("%(sheet)s sheet, row %(row)d: %(message)s") % values
            return _("%(sheet)s sheet, row %(row)d, column %(column)s: %(message)s") % values
        if self.column is None:
            return _("Row %(row)d: %(message)s") % values
        return _("Row %(row)d, column %(column)s: %(message)s") % values


@dataclass
class RowOutcome:
    line: int
    village: dict  # the village as it is in the database
    changes: dict = field(default_factory=dict)  # field -> (old, new)
    sheet: str | None = None

    @property
    def changed(self):
        return bool(self.changes)


@dataclass
class ImportResult:
    filename: str
    keys: list = field(default_factory=list)  # the column keys of every table read
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    sheets: list = field(default_factory=list)  # names of the sheets read (none for a CSV)
    skipped_sheets: list = field(default_factory=list)  # (sheet name, why)
    summary_rows: list = field(default_factory=list)  # (sheet or None, row number, the cell saying 合计...)
    encoding: str = ""  # CSV only
    encoding_detected: bool = False
    written: bool = False

    @property
    def ok(self):
        return not self.problems

    @property
    def changed(self):
        return sum(row.changed for row in self.rows)

    @property
    def unchanged(self):
        return len(self.rows) - self.changed
