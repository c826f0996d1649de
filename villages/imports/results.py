"""What an import works on and produces: the fields it may change, its problems and its rows."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from villages.models import Village

# The village fields an import may change, in the order the preview shows them.
FIELDS = [
    "tier",
    "programme_year",
    "status",
    "progress",
    "planned_investment",
    "actual_investment",
    "main_works",
    "contact_name",
    "contact_phone",
    "lat",
    "lon",
    "location_source",
    "notes",
    "accepted_at",
    "return_reason",
]
LOADED = [f.attname for f in Village._meta.concrete_fields if f.attname != "updated_at"]


@dataclass
class Problem:
    line: int | None
    column: str | None
    message: str

    def __str__(self):
        if self.line is None:
            return self.message
        if self.column is None:
            return _("Row %(row)d: %(message)s") % {"row": self.line, "message": self.message}
        return _("Row %(row)d, column %(column)s: %(message)s") % {
            "row": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class RowOutcome:
    line: int
    village: dict  # the village as it is in the database
    changes: dict = field(default_factory=dict)  # field -> (old, new)

    @property
    def changed(self):
        return bool(self.changes)


@dataclass
class ImportResult:
    filename: str
    headers: list = field(default_factory=list)
    keys: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    raw_rows: dict = field(default_factory=dict)  # line -> cell texts, for the preview of rows with problems
    problems: list = field(default_factory=list)
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

    def problems_by_line(self):
        grouped = {}
        for problem in self.problems:
            grouped.setdefault(problem.line, []).append(problem)
        return grouped
