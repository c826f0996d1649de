"""Read and check the county boundaries and township list of the registry files."""

import csv
import json
import re
from dataclasses import dataclass, field

from shapely.geometry import shape

from counties.models import COUNTY_CODE_REGEX, TOWNSHIP_CODE_REGEX, Township


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
    except OSError as error:
        errors.add(path.name, "-", f"cannot be read ({error.strerror})")
    return []


def read_counties(path, errors):
    """County dicts from a GeoJSON FeatureCollection; feature numbers count from 1."""
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
        features = collection["features"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        errors.add(path.name, "-", f"not a GeoJSON FeatureCollection ({error})")
        return []
    counties, seen = [], set()
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {}
        code = str(properties.get("code", "")).strip()
        name = str(properties.get("name", "")).strip()
        if not re.match(COUNTY_CODE_REGEX, code):
            errors.add(path.name, number, f"county code {code!r} is not 6 digits")
            continue
        if code in seen:
            errors.add(path.name, number, f"county {code} appears twice")
            continue
        seen.add(code)
        if not name:
            errors.add(path.name, number, f"county {code} has no name")
            continue
        try:
            geometry = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            errors.add(path.name, number, f"county {code} has no readable geometry ({error})")
            continue
        if geometry.geom_type not in ("Polygon", "MultiPolygon") or not geometry.is_valid:
            errors.add(path.name, number, f"county {code} boundary is not a valid polygon")
            continue
        label = geometry.representative_point()
        label_lon = properties.get("label_lon", label.x)
        label_lat = properties.get("label_lat", label.y)
        counties.append(
            {
                "code": code,
                "name": name,
                "boundary": feature["geometry"],
                "label_lat": float(label_lat),
                "label_lon": float(label_lon),
            }
        )
    return counties


def read_townships(path, county_codes, errors):
    townships, seen = [], set()
    kinds = set(Township.Kind.values)
    for row_number, row in read_csv_rows(path, ["code", "name", "county_code", "kind"], errors):
        code, county_code = row["code"], row["county_code"]
        if not re.match(TOWNSHIP_CODE_REGEX, code):
            errors.add(path.name, row_number, f"township code {code!r} is not 9 digits")
        elif code in seen:
            errors.add(path.name, row_number, f"township {code} appears twice")
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
            seen.add(code)
            townships.append({"code": code, "name": row["name"], "kind": row["kind"], "county_id": county_code})
    return townships
