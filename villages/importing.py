"""Import a village list: match every row to a registry village, check it, and write all of it or nothing.

Import never creates villages (the registry is loaded by load_registry); a row assigns tiers, statuses,
progress, coordinates... to an existing village. Every problem of every row is reported at once; a file
with any problem writes nothing. The same file imported twice changes nothing the second time.
"""

import math
import re
import secrets
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from counties import permissions
from counties.coords import CoordinateSystem, to_wgs84
from counties.geo import points_inside_counties
from counties.models import County, Township
from villages.import_columns import PARSERS, ValueProblem, normalize
from villages.import_files import FileProblem, read_table
from villages.models import VILLAGE_CODE_REGEX, LocationSource, Status, Tier, Village

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
TEXT_VALUE_KEYS = ["tier", "programme_year", "status", "progress", "planned_investment", "actual_investment",
                   "main_works", "contact_name", "contact_phone", "notes"]
COORDINATE_DIGITS = 7  # about 1 cm: converted points are stored rounded, so re-imports compare equal


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
        return _("Row %(row)d, column %(column)s: %(message)s") % {"row": self.line, "column": self.column, "message": self.message}


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


class Registry:
    """Counties, townships and villages, indexed for matching rows."""

    def __init__(self):
        self.counties = dict(County.objects.values_list("code", "name"))
        self.townships = {code: (name, county) for code, name, county in Township.objects.values_list("code", "name", "county_id")}
        self.by_code = {village["code"]: village for village in Village.objects.values(*LOADED).iterator(chunk_size=5000)}
        self._by_place = None
        self.county_lookup = lookup_table((code, name, strip_suffix(name, "区县市")) for code, name in self.counties.items())
        self.township_lookup = {}
        for code, (name, county) in self.townships.items():
            for key in (code, normalize(name), strip_suffix(name, ("街道办事处", "街道", "镇", "乡"))):
                self.township_lookup.setdefault((county, key), set()).add(code)

    @property
    def by_place(self):
        """(county code, name key) -> [villages], built when a row without a code first needs it."""
        if self._by_place is None:
            self._by_place = {}
            for village in self.by_code.values():
                for key in village_keys(village):
                    self._by_place.setdefault((village["county_id"], key), []).append(village)
        return self._by_place

    def county_code(self, text):
        codes = self.county_lookup.get(normalize(text), set())
        return next(iter(codes)) if len(codes) == 1 else None

    def township_code(self, county_code, text):
        codes = self.township_lookup.get((county_code, normalize(text)), set())
        return next(iter(codes)) if len(codes) == 1 else None


def strip_suffix(name, suffixes):
    name = normalize(name)
    for suffix in (suffixes if isinstance(suffixes, tuple) else tuple(suffixes)):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def village_keys(village):
    names = {normalize(village["name"]), normalize(village["short_name"])}
    return names | {strip_suffix(name, ("村委会", "居委会", "村", "社区")) for name in names}


def lookup_table(entries):
    table = {}
    for code, *names in entries:
        for key in (code, *map(normalize, names)):
            table.setdefault(key, set()).add(code)
    return table


class RowReader:
    """Turns one row of cells into (village, new values), adding a Problem for anything wrong."""

    def __init__(self, table, registry, user, default_crs, problems):
        self.registry, self.user, self.default_crs, self.problems = registry, user, default_crs, problems
        self.columns = {key: index for index, key in enumerate(table.keys) if key is not None}
        self.headers = table.headers
        self.seen = {}

    def header(self, key):
        return self.headers[self.columns[key]]

    def problem(self, line, key, message):
        self.problems.append(Problem(line, self.header(key) if key else None, message))

    def read(self, line, cells):
        text = {key: cells[index] if index < len(cells) else "" for key, index in self.columns.items()}
        village = self.match(line, text)
        values = self.parse(line, text)
        if village is None or values is None:
            return None
        first_line = self.seen.setdefault(village["code"], line)
        if first_line != line:
            self.problem(line, None, _("village %(code)s %(name)s is already in row %(first)d")
                         % {"code": village["code"], "name": village["name"], "first": first_line})
            return None
        return village, values

    def parse(self, line, text):
        values, ok = {}, True
        for key in TEXT_VALUE_KEYS + ["lon", "lat", "crs"]:
            if text.get(key):
                try:
                    values[key] = PARSERS[key](text[key])
                except ValueProblem as problem:
                    self.problem(line, key, str(problem))
                    ok = False
        if ("lon" in values) != ("lat" in values) and ok:
            missing = "lat" if "lon" in values else "lon"
            self.problem(line, missing, _("经度 and 纬度 must be given together"))
            ok = False
        if "crs" in values and "lon" not in values and ok:
            self.problem(line, "crs", _("a coordinate system is given without coordinates"))
            ok = False
        return values if ok else None

    def match(self, line, text):
        registry, code = self.registry, text.get("code", "")
        county_code = township_code = None
        if text.get("county"):
            county_code = registry.county_code(text["county"])
            if county_code is None:
                self.problem(line, "county", _("%(value)s is not a county of 晋中市") % {"value": text["county"]})
                return None
        if text.get("township") and county_code:
            township_code = registry.township_code(county_code, text["township"])
            if township_code is None:
                self.problem(line, "township", _("%(county)s has no township %(value)s")
                             % {"county": registry.counties[county_code], "value": text["township"]})
                return None
        if code:
            return self.match_code(line, code, text, county_code, township_code)
        if not text.get("name") or not county_code:
            self.problem(line, None, _("a row without a village code needs a county (县(市、区)) and a village name (村名)"))
            return None
        return self.match_name(line, text["name"], county_code, township_code)

    def match_code(self, line, code, text, county_code, township_code):
        if not re.match(VILLAGE_CODE_REGEX, code):
            self.problem(line, "code", _("%(value)s is not a village code (12 digits)") % {"value": code})
            return None
        village = self.registry.by_code.get(code)
        if village is None:
            self.problem(line, "code", _("no village with code %(code)s in the registry") % {"code": code})
            return None
        if county_code and county_code != village["county_id"]:
            self.problem(line, "county", _("village %(code)s is in %(actual)s, not %(given)s")
                         % {"code": code, "actual": self.registry.counties[village["county_id"]], "given": text["county"]})
            return None
        if township_code and township_code != village["township_id"]:
            self.problem(line, "township", _("village %(code)s is in %(actual)s, not %(given)s")
                         % {"code": code, "actual": self.registry.townships[village["township_id"]][0], "given": text["township"]})
            return None
        name = text.get("name")
        if name and name not in (village["name"], village["short_name"]) and not village_keys({"name": name, "short_name": name}) & village_keys(village):
            self.problem(line, "name", _("village %(code)s is %(actual)s, not %(given)s")
                         % {"code": code, "actual": village["name"], "given": text["name"]})
            return None
        return village

    def match_name(self, line, name, county_code, township_code):
        keys = village_keys({"name": name, "short_name": name})
        candidates = {v["code"]: v for key in keys for v in self.registry.by_place.get((county_code, key), [])}
        if township_code:
            candidates = {code: v for code, v in candidates.items() if v["township_id"] == township_code}
        place = self.registry.townships[township_code][0] if township_code else self.registry.counties[county_code]
        if not candidates:
            self.problem(line, "name", _("%(place)s has no village %(name)s") % {"place": place, "name": name})
            return None
        if len(candidates) > 1:
            listed = "、".join(f"{v['name']} ({code}, {self.registry.townships[v['township_id']][0]})" for code, v in sorted(candidates.items()))
            self.problem(line, "name", _("%(place)s has %(count)d villages called %(name)s: %(candidates)s; give the village code")
                         % {"place": place, "count": len(candidates), "name": name, "candidates": listed})
            return None
        return next(iter(candidates.values()))


def same_point(a, b):
    """Spreadsheets keep 15-16 significant digits: closer than about 0.1 mm is the same point."""
    return None not in b and all(math.isclose(x, y, rel_tol=0, abs_tol=1e-9) for x, y in zip(a, b))


def new_state(reader, line, village, values, now):
    """The village's fields after the row, or None with problems added."""
    state = {name: village[name] for name in FIELDS}
    state.update({key: values[key] for key in TEXT_VALUE_KEYS if key in values})
    if "tier" in values and values["tier"] == Tier.NONE:
        if "programme_year" in values:
            reader.problem(line, "programme_year", _("a village without a tier has no programme year"))
            return None
        state["programme_year"] = None
    elif state["tier"] != Tier.NONE and state["programme_year"] is None:
        reader.problem(line, "programme_year" if "programme_year" in reader.columns else "tier",
                       _("a village with a tier needs a programme year (年度)"))
        return None
    elif state["tier"] == Tier.NONE and "programme_year" in values:
        reader.problem(line, "programme_year", _("a programme year is given but the village has no tier (类型)"))
        return None
    if "lon" in values:
        lat, lon = values["lat"], values["lon"]
        system = values.get("crs", reader.default_crs)
        if system != CoordinateSystem.WGS84:
            lat, lon = (round(value, COORDINATE_DIGITS) for value in to_wgs84(lat, lon, system))
        if not same_point((lat, lon), (village["lat"], village["lon"])):
            state.update(lat=lat, lon=lon, location_source=LocationSource.IMPORTED)
    if state["status"] == Status.ACCEPTED and village["status"] != Status.ACCEPTED:
        state.update(accepted_at=now, return_reason="")  # as villages.workflow.accept does
    return state


def check_permissions(reader, line, village, state):
    user, subject = reader.user, SimpleNamespace(county_id=village["county_id"], code=village["code"])
    if not permissions.can_change_village(user, subject):
        reader.problem(line, None, _("you may not change villages of %(county)s") % {"county": reader.registry.counties[village["county_id"]]})
        return False
    ok = True
    if (state["tier"], state["programme_year"]) != (village["tier"], village["programme_year"]) and not permissions.can_set_tier(user):
        reader.problem(line, "tier", _("you may not change tiers or programme years"))
        ok = False
    if not permissions.allowed_import_transition(user, subject, village["status"], state["status"]):
        reader.problem(line, "status", _("the status may not go from %(old)s to %(new)s by import")
                       % {"old": Status(village["status"]).label, "new": Status(state["status"]).label})
        ok = False
    return ok


def check_locations(reader, located):
    """located: [(line, village, state)] with coordinates. Vectorised point-in-county test."""
    if not located:
        return
    inside = points_inside_counties([s["lon"] for _l, _v, s in located], [s["lat"] for _l, _v, s in located],
                                    [v["county_id"] for _l, v, _s in located])
    for (line, village, state), ok in zip(located, inside):
        if not ok:
            reader.problem(line, "lon", _("the point %(lon)s, %(lat)s (WGS84) is not inside %(county)s")
                           % {"lon": state["lon"], "lat": state["lat"], "county": reader.registry.counties[village["county_id"]]})


def analyse(table, filename, user, default_crs, progress=None):
    result = ImportResult(filename=filename, headers=table.headers, keys=table.keys)
    registry = Registry()
    reader = RowReader(table, registry, user, default_crs, result.problems)
    now = timezone.now()
    located = []
    rows = table.rows if progress is None else progress(table.rows)
    for line, cells in rows:
        result.raw_rows[line] = cells
        read = reader.read(line, cells)
        if read is None:
            continue
        village, values = read
        state = new_state(reader, line, village, values, now)
        if state is None or not check_permissions(reader, line, village, state):
            continue
        if "lon" in values:
            located.append((line, village, state))
        changes = {name: (village[name], state[name]) for name in FIELDS if state[name] != village[name]}
        result.rows.append(RowOutcome(line, village, changes))
    check_locations(reader, located)
    if not table.rows:
        result.problems.append(Problem(None, None, _("The file has a header but no village rows.")))
    result.problems.sort(key=lambda problem: (problem.line or 0))
    return result


class ConcurrentChange(Exception):
    pass


def row_maker(fields):
    """A function making a row of database values from a dict; only decimals and datetimes need converting
    (once per distinct value: an import writes the same time in every row)."""

    def converter(field):
        converted = {None: None}

        def convert(value):
            if value not in converted:
                converted[value] = field.get_db_prep_save(value, connection)
            return converted[value]

        return convert

    steps = [
        (field.attname, converter(field) if field.get_internal_type() in ("DecimalField", "DateTimeField") else None)
        for field in fields
    ]
    return lambda values: [values[name] if convert is None else convert(values[name]) for name, convert in steps]


def column_spec(field):
    return field.column, field.rel_db_type(connection) if field.is_relation else field.db_type(connection)


def run_bulk(cursor, table, columns, rows, match=0):
    """INSERT rows, or with `match` UPDATE: the last `match` columns select the row, the others are set.

    columns: [(name, database type)]. SQLite runs one prepared statement per row (executemany), in-process.
    PostgreSQL gets the rows by COPY (into a temporary table first for an UPDATE): one round trip, not one
    per row. Returns the number of rows written."""
    quote = connection.ops.quote_name
    names = [quote(name) for name, _type in columns]
    settable = len(columns) - match
    if connection.vendor == "postgresql":
        return copy_rows(table, columns, rows, match)
    if match:
        assignments = ", ".join(f"{name} = %s" for name in names[:settable])
        sql = f"UPDATE {quote(table)} SET {assignments} WHERE {' AND '.join(f'{name} = %s' for name in names[settable:])}"
    else:
        sql = f"INSERT INTO {quote(table)} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
    cursor.executemany(sql, rows)
    return cursor.rowcount


def copy_rows(table, columns, rows, match):
    from psycopg import sql

    connection.ensure_connection()
    names = [sql.Identifier(name) for name, _type in columns]
    with connection.connection.cursor() as cursor:
        if not match:
            with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(", ").join(names))) as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        data = sql.Identifier(f"import_{secrets.token_hex(6)}")
        aliases = [sql.Identifier(f"c{index}") for index in range(len(columns))]
        definition = sql.SQL(", ").join(sql.SQL("{} {}").format(alias, sql.SQL(kind)) for alias, (_name, kind) in zip(aliases, columns))
        cursor.execute(sql.SQL("CREATE TEMPORARY TABLE {} ({}) ON COMMIT DROP").format(data, definition))
        with cursor.copy(sql.SQL("COPY {} FROM STDIN").format(data)) as copy:
            for row in rows:
                copy.write_row(row)
        settable = len(columns) - match
        cursor.execute(
            sql.SQL("UPDATE {} AS target SET {} FROM {} AS data WHERE {}").format(
                sql.Identifier(table),
                sql.SQL(", ").join(sql.SQL("{} = data.{}").format(name, alias) for name, alias in zip(names[:settable], aliases)),
                data,
                sql.SQL(" AND ").join(
                    sql.SQL("target.{} = data.{}").format(name, alias) for name, alias in zip(names[settable:], aliases[settable:])
                ),
            )
        )
        updated = cursor.rowcount
        cursor.execute(sql.SQL("DROP TABLE {}").format(data))
        return updated


def write(result, user):
    """Write the changed rows and one history record each (what simple_history's bulk_update_with_history
    writes), in one transaction. Django's bulk_update (CASE expressions) and bulk_create (SQL built value by
    value) took longer than the whole import may. The version check refuses to overwrite a village that
    someone changed since it was read."""
    changed = [row for row in result.rows if row.changed]
    if not changed:
        return
    now = timezone.now()
    user_id = user.pk if user else None
    village_fields = [Village._meta.get_field(name) for name in [*FIELDS, "updated_at", "updated_by", "version"]]
    key_fields = [Village._meta.get_field("id"), Village._meta.get_field("version")]
    history = Village.history.model
    history_fields = [field for field in history._meta.concrete_fields if not field.primary_key]
    fixed = {"updated_at": now, "updated_by_id": user_id, "history_date": now, "history_type": "~",
             "history_change_reason": f"import {result.filename}", "history_user_id": user_id}
    village_row, history_row = row_maker(village_fields), row_maker(history_fields)
    updates, records = [], []
    for row in changed:
        state = {**row.village, **{name: new for name, (_old, new) in row.changes.items()}, **fixed}
        state["version"] += 1
        updates.append(village_row(state) + [state["id"], row.village["version"]])
        records.append(history_row(state))
    with transaction.atomic(), connection.cursor() as cursor:
        columns = [column_spec(field) for field in village_fields + key_fields]
        if run_bulk(cursor, Village._meta.db_table, columns, updates, match=2) != len(changed):
            raise ConcurrentChange
        run_bulk(cursor, history._meta.db_table, [column_spec(field) for field in history_fields], records)


def import_villages(
    content, filename, user, crs=CoordinateSystem.WGS84, encoding=None, dry_run=False, progress=None, file_format=None
):
    """Check the file and, unless dry_run or anything is wrong, write it. Returns an ImportResult."""
    try:
        table = read_table(content, filename, encoding, file_format)
    except FileProblem as problem:
        return ImportResult(filename=filename, problems=[Problem(None, None, str(problem))])
    result = analyse(table, filename, user, crs, progress)
    if result.ok and not dry_run:
        try:
            write(result, user)
            result.written = True
        except ConcurrentChange:
            result.problems.append(Problem(None, None, _("Some of these villages were changed by someone else during the import; nothing was written. Import the file again.")))
    return result
