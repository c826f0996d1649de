"""Read and check the registry's geography: provinces, cities, counties (with or without a boundary) and townships.

Every row is checked and every problem collected, by file and row, before anything is written.
"""

import csv
import json
import re
from dataclasses import dataclass, field

import shapely
from shapely.geometry import shape

from counties.models import CITY_CODE_REGEX, COUNTY_CODE_REGEX, PROVINCE_CODE_REGEX, TOWNSHIP_CODE_REGEX, Township

COUNTIES_FILE = "counties.geojson"
UNBOUNDED_FILE = "counties_without_boundary.csv"
TOWNSHIPS_FILE = "townships.csv"
# A county's boundary must come this close (degrees, about 1 km) to another county of its city.
NEIGHBOUR_TOLERANCE = 0.01


@dataclass
class RegistryErrors:
    messages: list = field(default_factory=list)

    def add(self, filename, row, message):
        self.messages.append(f"{filename} row {row}: {message}")

    def __bool__(self):
        return bool(self.messages)


def read_csv_rows(path, required_columns, errors):
    """Rows of a UTF-8 CSV file as (row number, dict) pairs; the header is row 1."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [column for column in required_columns if column not in (reader.fieldnames or [])]
            if missing:
                errors.add(path.name, 1, f"missing column(s): {', '.join(missing)}")
                return []
            return [
                (number, {key: (value or "").strip() for key, value in row.items() if key})
                for number, row in enumerate(reader, start=2)
            ]
    except UnicodeDecodeError as error:
        errors.add(path.name, "?", f"not UTF-8 text ({error.reason})")
    except csv.Error as error:
        errors.add(path.name, "?", f"not a readable CSV file ({error})")
    except OSError as error:
        errors.add(path.name, "-", f"cannot be read ({error.strerror})")
    return []


@dataclass
class Geography:
    """What the files say: {code: {"name"...}} of provinces and cities, county rows, and the counties' shapes."""

    provinces: dict = field(default_factory=dict)
    cities: dict = field(default_factory=dict)
    counties: list = field(default_factory=list)
    shapes: dict = field(default_factory=dict)  # county code -> (feature number, shapely geometry)


class PlaceChecker:
    """Checks the province, city and county of one row against each other and against earlier rows."""

    def __init__(self, geography, stored_cities, errors):
        self.geography, self.stored_cities, self.errors = geography, stored_cities, errors
        self.seen_counties = {}  # code -> (file, row)
        self.names_in_city = {}  # (city code, name) -> county code

    def check(self, filename, number, row):
        """A county dict from a row with code, name, city_code, city_name, province_code, province_name; or None."""
        code, name = row.get("code", ""), row.get("name", "")
        city_code, city_name = row.get("city_code", ""), row.get("city_name", "")
        province_code, province_name = row.get("province_code", ""), row.get("province_name", "")
        problem = None
        if not re.match(COUNTY_CODE_REGEX, code):
            problem = f"county code {code!r} is not 6 digits"
        elif code in self.seen_counties:
            problem = "county {} appears twice (first in {} row {})".format(code, *self.seen_counties[code])
        elif not name:
            problem = f"county {code} has no name"
        elif not re.match(CITY_CODE_REGEX, city_code) or not city_name:
            problem = f"county {code} needs a 4-digit city_code and a city_name"
        elif not code.startswith(city_code):
            problem = f"county {code} cannot be in city {city_code} {city_name}: its code does not start with it"
        elif not re.match(PROVINCE_CODE_REGEX, province_code) or not province_name:
            problem = f"county {code} needs a 2-digit province_code and a province_name"
        elif not city_code.startswith(province_code):
            problem = f"city {city_code} cannot be in province {province_code}: its code does not start with it"
        elif self.stored_cities.get(code, city_code) != city_code:
            problem = f"county {code} is in city {self.stored_cities[code]} in the database, not in {city_code}"
        else:
            problem = self.check_names(code, name, city_code, city_name, province_code, province_name)
        if problem:
            self.errors.add(filename, number, problem)
            return None
        self.seen_counties[code] = (filename, number)
        self.names_in_city[(city_code, name)] = code
        self.geography.cities.setdefault(city_code, {"name": city_name, "province_id": province_code})
        self.geography.provinces.setdefault(province_code, {"name": province_name})
        return {"code": code, "name": name, "city_id": city_code}

    def check_names(self, code, name, city_code, city_name, province_code, province_name):
        known_city = self.geography.cities.get(city_code)
        if known_city and known_city["name"] != city_name:
            return f"city {city_code} is called {known_city['name']} in an earlier row, not {city_name}"
        known_province = self.geography.provinces.get(province_code)
        if known_province and known_province["name"] != province_name:
            return f"province {province_code} is called {known_province['name']} in an earlier row, not {province_name}"
        other = self.names_in_city.get((city_code, name))
        if other:
            return f"county {code} has the same name as county {other} of {city_name}: {name}"
        return None


def read_geography(data_dir, stored, errors):
    """The counties of counties.geojson (with their boundary) and of counties_without_boundary.csv (if present).

    stored: {county code: (city code, name)} of the counties already in the database."""
    geography = Geography()
    checker = PlaceChecker(geography, {code: city for code, (city, _name) in stored.items()}, errors)
    path = data_dir / COUNTIES_FILE
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        errors.add(path.name, "-", f"not a GeoJSON FeatureCollection ({error})")
        features = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        row = {key: str(value).strip() for key, value in (properties or {}).items() if value is not None}
        county = checker.check(path.name, number, row)
        if county is None:
            continue
        geometry = read_boundary(path.name, number, county["code"], feature, errors)
        if geometry is None:
            continue
        label = geometry.representative_point()
        county.update(
            boundary=feature["geometry"],
            label_lat=float(properties.get("label_lat", label.y)),
            label_lon=float(properties.get("label_lon", label.x)),
        )
        geography.counties.append(county)
        geography.shapes[county["code"]] = (number, geometry)
    unbounded = data_dir / UNBOUNDED_FILE
    if unbounded.exists():
        columns = ["code", "name", "city_code", "city_name", "province_code", "province_name"]
        for number, row in read_csv_rows(unbounded, columns, errors):
            county = checker.check(unbounded.name, number, row)
            if county is not None:
                geography.counties.append({**county, "boundary": None, "label_lat": None, "label_lon": None})
    check_counties_lie_in_their_city(geography, path.name, errors)
    check_names_stay_unique(geography, stored, checker.seen_counties, errors)
    return geography


def check_names_stay_unique(geography, stored, rows, errors):
    """Counties kept in the database but not in the files keep their names: a new one may not take one."""
    kept = {(city, name): code for code, (city, name) in stored.items() if code not in rows}
    for county in geography.counties:
        other = kept.get((county["city_id"], county["name"]))
        if other:
            errors.add(
                *rows[county["code"]],
                f"county {county['code']} has the name of county {other} in the database: {county['name']}",
            )


def read_boundary(filename, number, code, feature, errors):
    try:
        geometry = shape(feature["geometry"])
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as error:
        errors.add(filename, number, f"county {code} has no readable geometry ({error})")
        return None
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty or not geometry.is_valid:
        errors.add(filename, number, f"county {code} boundary is not a valid polygon")
        return None
    return geometry


def check_counties_lie_in_their_city(geography, filename, errors):
    """A county whose boundary comes near none of its city's other counties lies outside its city."""
    by_city = {}
    for code, (number, geometry) in geography.shapes.items():
        shapely.prepare(geometry)
        by_city.setdefault(code[:4], []).append((code, number, geometry))
    for city_code, members in by_city.items():
        for code, number, geometry in members if len(members) > 1 else []:
            others = [other for other_code, _n, other in members if other_code != code]
            if not any(shapely.dwithin(geometry, other, NEIGHBOUR_TOLERANCE) for other in others):
                errors.add(
                    filename,
                    number,
                    f"county {code} lies outside {geography.cities[city_code]['name']}: "
                    "its boundary is far from every other county of the city",
                )


def read_townships(path, county_codes, errors):
    townships, seen = [], {}
    kinds = set(Township.Kind.values)
    for row_number, row in read_csv_rows(path, ["code", "name", "county_code", "kind"], errors):
        code, county_code = row["code"], row["county_code"]
        if not re.match(TOWNSHIP_CODE_REGEX, code):
            errors.add(path.name, row_number, f"township code {code!r} is not 9 digits")
        elif code in seen:
            errors.add(path.name, row_number, f"township {code} appears twice (first in row {seen[code]})")
        elif county_code not in county_codes:
            errors.add(path.name, row_number, f"county {county_code!r} of township {code} is unknown")
        elif not code.startswith(county_code):
            errors.add(
                path.name, row_number, f"township {code} does not belong to county {county_code} (code prefix differs)"
            )
        elif row["kind"] not in kinds:
            errors.add(
                path.name,
                row_number,
                f"kind {row['kind']!r} of township {code} is not one of {', '.join(sorted(kinds))}",
            )
        elif not row["name"]:
            errors.add(path.name, row_number, f"township {code} has no name")
        else:
            seen[code] = row_number
            townships.append({"code": code, "name": row["name"], "kind": row["kind"], "county_id": county_code})
    return townships
