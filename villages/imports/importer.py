"""Import a village list: match every row to a registry village, check it, and write all of it or nothing.

Import never creates villages (the registry is loaded by load_registry); a row assigns tiers, statuses,
progress, coordinates... to an existing village. Every problem of every row is reported at once, naming the
row's village; a file with any problem writes nothing, unless asked to import the other rows and skip those
(skip_invalid: the office sends the skipped rows back to the county as a 问题清单, villages.imports.problem_list).
The same file imported twice changes nothing the second time.
"""

import math
from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from counties.boundaries import area_bounds, outside_area
from counties.coords import CoordinateSystem, to_wgs84
from counties.geo import points_inside_counties
from villages import access, consistency, workflow
from villages.imports.matching import Registry, RowReader
from villages.imports.reading import FileProblem
from villages.imports.results import FIELDS, ImportResult, Problem, RowOutcome
from villages.imports.tables import read_tables
from villages.models import PROGRAMME_FIELDS, LocationSource, Tier

SKIPS_CHANGED = gettext_lazy(
    "The rows with problems are no longer the ones the preview showed (the villages changed meanwhile); nothing was "
    "written. Check the file again."
)
COORDINATE_DIGITS = 7  # about 1 cm: converted points are stored rounded, so re-imports compare equal


def same_point(a, b):
    """Spreadsheets keep 15-16 significant digits: closer than about 0.1 mm is the same point."""
    return None not in b and all(math.isclose(x, y, rel_tol=0, abs_tol=1e-9) for x, y in zip(a, b))


def new_state(reader, line, village, values, now):
    """The village's fields after the row, or None with problems added."""
    state = {name: village[name] for name in FIELDS}
    state.update({key: values[key] for key in PROGRAMME_FIELDS if key in values})
    if "tier" in values and values["tier"] == Tier.NONE:
        if "programme_year" in values:
            reader.problem(line, "programme_year", _("a village without a tier has no programme year"))
            return None
        state["programme_year"] = None
    elif state["tier"] != Tier.NONE and state["programme_year"] is None:
        reader.problem(
            line,
            "programme_year" if "programme_year" in reader.columns else "tier",
            _("a village with a tier needs a programme year (年度)"),
        )
        return None
    elif state["tier"] == Tier.NONE and "programme_year" in values:
        reader.problem(line, "programme_year", _("a programme year is given but the village has no tier (村庄类别)"))
        return None
    if "lon" in values:
        lat, lon = values["lat"], values["lon"]
        system = values.get("crs", reader.default_crs)
        if system != CoordinateSystem.WGS84:
            lat, lon = (round(value, COORDINATE_DIGITS) for value in to_wgs84(lat, lon, system))
        if not same_point((lat, lon), (village["lat"], village["lon"])):
            state.update(lat=lat, lon=lon, location_source=LocationSource.IMPORTED)
    return workflow.imported_state(village, state, now)


def check_access(reader, line, village, state):
    user, subject = (
        reader.user,
        SimpleNamespace(
            county_id=village["county_id"],
            code=village["code"],
            withdrawn_at=village["withdrawn_at"],
            tier=state["tier"],
            programme_year=state["programme_year"],
        ),
    )
    if not access.can_change_village(user, subject):
        reader.problem(
            line,
            None,
            _("you may not change villages of %(county)s; leave the row out, or send it to that county's editor")
            % {"county": reader.registry.counties[village["county_id"]]},
        )
        return False
    ok = True
    if (state["tier"], state["programme_year"]) != (
        village["tier"],
        village["programme_year"],
    ) and not access.can_set_tier(user):
        reader.problem(
            line,
            "tier",
            _(
                "you may not change tiers or programme years; a city administrator sets them: leave the tier and "
                "year columns as the village has them, or leave the columns out"
            ),
        )
        ok = False
    if refusal := workflow.import_refusal(user, subject, village["status"], state["status"]):
        reader.problem(line, "status", refusal)
        ok = False
    return ok


def check_locations(located):
    """located: [(reader, line, village, state)] with coordinates: inside the city's bounds, then (vectorised)
    inside the village's county."""
    in_city = []
    bounds = area_bounds() if located else None
    for reader, line, village, state in located:
        if problem := outside_area(state["lat"], state["lon"], bounds):
            reader.problem(line, "lon", problem, village)
        else:
            in_city.append((reader, line, village, state))
    located = in_city
    if not located:
        return
    inside = points_inside_counties(
        [s["lon"] for _r, _l, _v, s in located],
        [s["lat"] for _r, _l, _v, s in located],
        [v["county_id"] for _r, _l, v, _s in located],
    )
    for (reader, line, village, state), ok in zip(located, inside):
        if not ok:
            reader.problem(
                line,
                "lon",
                _(
                    "the point %(lon)s, %(lat)s (WGS84) is not inside %(county)s; check that 经度 and 纬度 are not "
                    "swapped and the coordinate system (坐标系) is the one the point was taken in, or leave them empty"
                )
                % {"lon": state["lon"], "lat": state["lat"], "county": reader.registry.counties[village["county_id"]]},
                village,
            )


def analyse(tables, filename, user, default_crs, progress=None):
    result = ImportResult(
        filename=filename,
        keys=[key for table in tables.tables for key in table.keys],
        sheets=[table.sheet for table in tables.tables if table.sheet is not None],
        skipped_sheets=tables.skipped_sheets,
        summary_rows=[(table.sheet, line, label) for table in tables.tables for line, label in table.summary_rows],
        encoding=tables.encoding,
        encoding_detected=tables.encoding_detected,
        tables=tables.tables,
    )
    registry = Registry()
    seen, repeated = {}, set()
    readers = [
        RowReader(table, registry, user, default_crs, result.problems, seen, repeated) for table in tables.tables
    ]
    now = timezone.now()
    located = []
    rows = [(reader, line, cells) for reader, table in zip(readers, tables.tables) for line, cells in table.rows]
    for reader, line, cells in rows if progress is None else progress(rows):
        read = reader.read(line, cells)
        if read is None:
            continue
        village, values = read
        state = new_state(reader, line, village, values, now)
        if state is None or not check_access(reader, line, village, state):
            continue
        if "lon" in values:
            located.append((reader, line, village, state))
        changes = {name: (village[name], state[name]) for name in FIELDS if state[name] != village[name]}
        result.rows.append(RowOutcome(line, village, changes, reader.sheet))
    check_locations(located)
    if not rows:
        result.problems.append(Problem(None, None, _("The file has a header but no village rows.")))
    order = {table.sheet: index for index, table in enumerate(tables.tables)}
    result.problems.sort(key=lambda problem: (order.get(problem.sheet, 0), problem.line or 0))
    return result


def import_villages(
    content,
    filename,
    user,
    crs=CoordinateSystem.WGS84,
    encoding=None,
    dry_run=False,
    progress=None,
    skip_invalid=False,
    expected_skips=None,
):
    """Check the file and, unless dry_run or anything is wrong, write it. Returns an ImportResult.

    skip_invalid: write the other rows when only some rows have problems (result.skipped); those rows change
    nothing. expected_skips: the {(sheet, row)} a preview showed as skipped; if the rows with problems are no
    longer those (the villages changed meanwhile), nothing is written."""
    try:
        tables = read_tables(content, filename, encoding)
    except FileProblem as problem:
        return ImportResult(filename=filename, problems=[Problem(None, None, str(problem))])
    result = analyse(tables, filename, user, crs, progress)
    if skip_invalid and result.problems:
        if expected_skips is not None and result.bad_lines != set(expected_skips):
            result.problems.append(Problem(None, None, str(SKIPS_CHANGED)))
        else:
            result.skipped = result.skippable
    if not result.file_problems:
        result.warnings = consistency.import_warnings(result.imported_rows)
    if result.importable and not dry_run:
        changed = [(row.village, row.changes) for row in result.imported_rows if row.changed]
        try:
            workflow.write_import(changed, user, f"import {result.filename}")
            result.written = True
        except workflow.ConcurrentChange as conflict:
            result.problems.append(Problem(None, None, str(conflict)))
            result.skipped = False
    return result
