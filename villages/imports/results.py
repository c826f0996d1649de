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
    village: str = ""  # "code name" of the row's village once matched (else the row's own code and name cells)
    matched: bool = False  # the village was found: its code and name lead the message

    @property
    def text(self):
        """The message, naming the village when the row was matched to one."""
        if not self.matched:
            return self.message
        return _("%(village)s: %(message)s") % {"village": self.village, "message": self.message}

    def __str__(self):
        if self.line is None:
            return self.message
        values = {"sheet": self.sheet, "row": self.line, "column": self.column, "message": self.text}
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
    tables: list = field(default_factory=list)  # the tables read (villages.imports.tables.Table), for the 问题清单
    skipped: bool = False  # written without the rows that have problems (see `skippable`)
    warnings: list = field(default_factory=list)  # villages.consistency.Mismatch: figures that do not fit together

    @property
    def ok(self):
        return not self.problems

    @property
    def file_problems(self):
        """Problems of the file as a whole (its header, no rows, a change meanwhile): no row can be skipped for them."""
        return [problem for problem in self.problems if problem.line is None]

    @property
    def bad_lines(self):
        """{(sheet, row)} of the rows with a problem."""
        return {(problem.sheet, problem.line) for problem in self.problems if problem.line is not None}

    @property
    def skippable(self):
        """The file can be imported without its rows that have problems: only rows have problems, and some rows
        have none."""
        return bool(self.problems) and not self.file_problems and bool(self.imported_rows)

    @property
    def imported_rows(self):
        """The rows without problems: those an import writes (all of them, or with skip_invalid the others)."""
        bad = self.bad_lines
        return [row for row in self.rows if (row.sheet, row.line) not in bad] if bad else self.rows

    @property
    def importable(self):
        """Written, or to be written: without problems, or without the rows that have them."""
        return self.ok or self.skipped

    @property
    def changed(self):
        return sum(row.changed for row in self.imported_rows)

    @property
    def unchanged(self):
        return len(self.imported_rows) - self.changed
