"""Load the official registry (counties, townships, village committees) into the database.

Every row is checked before anything is written; a file with any bad row changes nothing.
Loading the same files again changes nothing. Villages are never deleted here.
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from counties.models import County, CountyBoundary, Township
from counties.registry_files import RegistryErrors, read_counties, read_csv_rows, read_townships
from villages.models import VILLAGE_CODE_REGEX, Village


class RegistryError(Exception):
    def __init__(self, messages):
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_missing: list = field(default_factory=list)

    @property
    def total(self):
        return self.created + self.updated + self.unchanged


def read_villages(path, townships_by_code, errors):
    villages, seen = [], set()
    columns = ["code", "name", "short_name", "township_code", "county_code"]
    for row_number, row in read_csv_rows(path, columns, errors):
        code, township_code, county_code = row["code"], row["township_code"], row["county_code"]
        township = townships_by_code.get(township_code)
        if not re.match(VILLAGE_CODE_REGEX, code):
            errors.add(path.name, row_number, f"village code {code!r} is not 12 digits")
        elif code in seen:
            errors.add(path.name, row_number, f"village {code} appears twice")
        elif township is None:
            errors.add(path.name, row_number, f"township {township_code!r} of village {code} is unknown")
        elif township["county_id"] != county_code:
            errors.add(
                path.name,
                row_number,
                f"township {township_code} of village {code} belongs to county {township['county_id']}, not {county_code}",
            )
        elif not code.startswith(township_code):
            errors.add(
                path.name,
                row_number,
                f"village {code} does not belong to township {township_code} (code prefix differs)",
            )
        elif not row["name"] or not row["short_name"]:
            errors.add(path.name, row_number, f"village {code} has no name or no short name")
        else:
            seen.add(code)
            villages.append(
                {
                    "code": code,
                    "name": row["name"],
                    "short_name": row["short_name"],
                    "township_id": township_code,
                    "county_id": county_code,
                }
            )
    return villages


def read_registry(data_dir):
    errors = RegistryErrors()
    counties = read_counties(data_dir / "counties.geojson", errors)
    county_codes = {county["code"] for county in counties} | set(County.objects.values_list("code", flat=True))
    townships = read_townships(data_dir / "townships.csv", county_codes, errors)
    townships_by_code = {township["code"]: township for township in townships}
    for code, county_id in Township.objects.values_list("code", "county_id"):
        townships_by_code.setdefault(code, {"code": code, "county_id": county_id})
    villages = read_villages(data_dir / "villages.csv", townships_by_code, errors)
    if errors:
        raise RegistryError(errors.messages)
    return counties, townships, villages


def upsert(model, rows, key, fields, changed=frozenset()):
    """Create missing rows and update changed ones; returns Counts. Keys in `changed` count as updated
    even when their own fields are unchanged (a county whose boundary changed)."""
    existing = model._base_manager.in_bulk([row[key] for row in rows], field_name=key)  # withdrawn villages too
    counts, to_create, to_update = Counts(), [], []
    for row in rows:
        current = existing.get(row[key])
        if current is None:
            to_create.append(model(**row))
        elif any(getattr(current, name) != row[name] for name in fields):
            for name in fields:
                setattr(current, name, row[name])
            to_update.append(current)
        elif row[key] in changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
    if hasattr(model, "history"):
        if to_create:
            bulk_create_with_history(to_create, model, batch_size=500, default_change_reason="registry load")
        if to_update:
            bulk_update_with_history(
                to_update,
                model,
                fields,
                batch_size=500,
                default_change_reason="registry load",
                manager=model._base_manager,
            )
    else:
        model.objects.bulk_create(to_create, batch_size=500)
        model.objects.bulk_update(to_update, fields, batch_size=500)
    counts.created, counts.updated = len(to_create), counts.updated + len(to_update)
    return counts


def changed_boundaries(counties):
    """The counties whose boundary is new or differs from the stored one."""
    stored = dict(CountyBoundary.objects.values_list("county_id", "geometry"))
    return [county for county in counties if stored.get(county["code"]) != county["boundary"]]


def write_boundaries(counties):
    CountyBoundary.objects.bulk_create(
        [CountyBoundary(county_id=county["code"], geometry=county["boundary"]) for county in counties],
        update_conflicts=True,
        unique_fields=["county"],
        update_fields=["geometry"],
    )


def load_registry(data_dir):
    """Check all three files, then write them in one transaction. Returns Counts per kind."""
    counties, townships, villages = read_registry(data_dir)
    fields = ["name", "label_lat", "label_lon"]
    with transaction.atomic():
        reshaped = changed_boundaries(counties)
        result = {
            "counties": upsert(
                County,
                [{name: county[name] for name in ["code", *fields]} for county in counties],
                "code",
                fields,
                changed={county["code"] for county in reshaped},
            ),
        }
        write_boundaries(reshaped)
        result["townships"] = upsert(Township, townships, "code", ["name", "kind"])
        result["villages"] = upsert(Village, villages, "code", ["name", "short_name"])
    in_file = {village["code"] for village in villages}
    result["villages"].kept_missing = sorted(set(Village.all_objects.values_list("code", flat=True)) - in_file)
    return result
