"""Match a row of a village list to a registry village and read its values, adding a Problem for anything wrong."""

import re

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from counties.models import City, County, Township
from counties.scope import not_a_county_here
from villages.imports.columns import PARSERS, ValueProblem, cell_limit, normalize, shortened
from villages.imports.results import LOADED, Problem
from villages.models import PROGRAMME_FIELDS, VILLAGE_CODE_REGEX, Village

SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$")
PARSED = PROGRAMME_FIELDS + ["lon", "lat", "crs"]


class Registry:
    """Counties, townships and villages, indexed for matching rows."""

    def __init__(self):
        self.counties = dict(County.objects.values_list("code", "name"))
        self.county_city = dict(County.objects.values_list("code", "city_id"))
        self.cities = dict(City.objects.values_list("code", "name"))
        self.city_lookup = lookup_table((code, name, strip_suffix(name, "市")) for code, name in self.cities.items())
        self.townships = {
            code: (name, county) for code, name, county in Township.objects.values_list("code", "name", "county_id")
        }
        # Withdrawn villages too, so that a row naming one is told so instead of "not in the registry".
        self.by_code = {
            village["code"]: village for village in Village.all_objects.values(*LOADED).iterator(chunk_size=5000)
        }
        self._by_place = None
        self.county_lookup = lookup_table(
            (code, name, strip_suffix(name, "区县市")) for code, name in self.counties.items()
        )
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

    def county_codes(self, text):
        """The counties a name or code may mean: more than one for a name two cities give a county (城区)."""
        return self.county_lookup.get(normalize(text), set())

    def city_code(self, text):
        codes = self.city_lookup.get(normalize(text), set())
        return next(iter(codes)) if len(codes) == 1 else None

    def township_code(self, county_code, text):
        codes = self.township_lookup.get((county_code, normalize(text)), set())
        return next(iter(codes)) if len(codes) == 1 else None

    def county_in_city(self, code):
        """城区 (阳泉市)."""
        return f"{self.counties[code]} ({self.cities[self.county_city[code]]})"


def strip_suffix(name, suffixes):
    name = normalize(name)
    for suffix in suffixes if isinstance(suffixes, tuple) else tuple(suffixes):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def village_keys(village):
    names = {normalize(village["name"]), normalize(village["short_name"])}
    return names | {strip_suffix(name, ("村委会", "居委会", "村", "社区")) for name in names}


def village_label(village):
    return f"{village['code']} {village['name']}"


def withdrawn_text(village):
    return _(
        "village %(code)s %(name)s was withdrawn (撤并) on %(date)s; a city administrator can reinstate it under 村庄 › 已撤并村庄"
    ) % {
        "code": village["code"],
        "name": village["name"],
        "date": formats.date_format(timezone.localtime(village["withdrawn_at"]), "Y-m-d"),
    }


def lookup_table(entries):
    table = {}
    for code, *names in entries:
        for key in (code, *map(normalize, names)):
            table.setdefault(key, set()).add(code)
    return table


class RowReader:
    """Turns one row of cells into (village, new values), adding a Problem for anything wrong."""

    def __init__(self, table, registry, user, default_crs, problems, seen, repeated=None):
        self.registry, self.user, self.default_crs, self.problems = registry, user, default_crs, problems
        self.columns = {key: index for index, key in enumerate(table.keys) if key is not None}
        self.headers = table.headers
        self.sheet = table.sheet
        self.table = table
        self.seen = seen  # village code -> (sheet, row) where it first appeared, shared by the file's tables
        self.parsed = {}  # (column key, cell text) -> value read
        self.village = None  # the village of the row being read, once matched
        self.given = ""  # the row's own code and name, for a row not matched to a village
        self.repeated_codes = set() if repeated is None else repeated  # villages given twice, their first row told so

    def header(self, key):
        return self.headers[self.columns[key]]

    def problem(self, line, key, message, village=None):
        """A problem of row `line`, naming its village: `village`, else the one the row was matched to, else the
        code and name the row gives."""
        village = village or self.village
        label = village_label(village) if village else self.given
        self.problems.append(
            Problem(line, self.header(key) if key else None, message, self.sheet, label, matched=bool(village))
        )

    def read(self, line, cells):
        """A row shorter than the header has its last cells empty, as a spreadsheet shows it."""
        text = {key: cells[index] if index < len(cells) else "" for key, index in self.columns.items()}
        self.village = None
        self.given = " ".join(shortened(text[key], 30) for key in ("code", "name") if text.get(key))
        if self.table.is_csv and len(cells) > len(self.headers):
            self.too_wide(line, cells)
            return None
        if not self.check_lengths(line, text):
            return None
        village = self.match(line, text)
        self.village = village
        values = self.parse(line, text)
        if village is None or values is None:
            return None
        first = self.seen.setdefault(village["code"], (self.sheet, line))
        if first != (self.sheet, line):
            self.repeated(line, village, first)
            return None
        return village, values

    def repeated(self, line, village, first):
        """Both rows of a village given twice are problems: which of them is right is for the county to say."""
        where = {"code": village["code"], "name": village["name"], "first": first[1], "sheet": first[0]}
        self.problems.append(
            Problem(
                line,
                None,
                _("village %(code)s %(name)s is already in row %(first)d") % where
                if first[0] == self.sheet
                else _("village %(code)s %(name)s is already in %(sheet)s sheet, row %(first)d") % where,
                self.sheet,
                village_label(village),
            )
        )
        if village["code"] not in self.repeated_codes:
            self.repeated_codes.add(village["code"])
            again = {"code": village["code"], "name": village["name"], "row": line, "sheet": self.sheet}
            self.problems.append(
                Problem(
                    first[1],
                    None,
                    _("village %(code)s %(name)s is given again in row %(row)d; keep one of the rows") % again
                    if first[0] == self.sheet
                    else _(
                        "village %(code)s %(name)s is given again in %(sheet)s sheet, row %(row)d; keep one of the rows"
                    )
                    % again,
                    first[0],
                    village_label(village),
                )
            )

    def too_wide(self, line, cells):
        width = len(self.headers)
        extra = [(column, text) for column, text in enumerate(cells[width:], start=width + 1) if text]
        self.problem(
            line,
            None,
            _(
                "the row has %(cells)d cells but the header (row %(header)d) has %(columns)d columns: %(extra)s "
                "under no column name. A value that holds a comma must be in double quotes."
            )
            % {
                "cells": len(cells),
                "header": self.table.line,
                "columns": width,
                "extra": "、".join(
                    _("column %(column)d (%(value)s)") % {"column": column, "value": shortened(text, 20)}
                    for column, text in extra[:3]
                )
                + ("…" if len(extra) > 3 else ""),
            },
        )

    def check_lengths(self, line, text):
        ok = True
        for key, value in text.items():
            if len(value) > cell_limit(key):
                self.problem(
                    line,
                    key,
                    _("%(value)s is longer than %(limit)d characters")
                    % {"value": shortened(value), "limit": cell_limit(key)},
                )
                ok = False
        return ok

    def parse(self, line, text):
        values, ok = {}, True
        parsed = self.parsed
        for key in PARSED:
            if text.get(key):
                try:
                    value = parsed.get((key, text[key]), parsed)
                    if value is parsed:  # the same words (状态, 年度...) come back row after row
                        value = parsed[key, text[key]] = PARSERS[key](text[key])
                    values[key] = value
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
        """The village of the row. Its code decides; a county name that two cities use (城区) is told apart by
        the code, the city column or the township, and refused naming its counties when none of them does."""
        code = text.get("code", "")
        places = self.places(line, text)  # {county code: township code or None} the row's columns allow
        if places is None:
            return None
        if code:
            return self.match_code(line, code, text, places)
        if not text.get("name") or not places:
            self.problem(
                line, None, _("a row without a village code needs a county (县(市、区)) and a village name (村名)")
            )
            return None
        return self.match_name(line, text["name"], places)

    def places(self, line, text):
        """{county code: township code or None} of the counties the county, city and township columns allow; {} when
        the row names no county; None with a problem added when they name none."""
        registry = self.registry
        if not text.get("county"):
            if text.get("city") and registry.city_code(text["city"]) is None:
                self.problem(line, "city", _("%(value)s is not a city in the registry") % {"value": text["city"]})
                return None
            return {}
        counties = registry.county_codes(text["county"])
        if not counties:
            self.problem(line, "county", not_a_county_here(text["county"]))
            return None
        if text.get("city"):
            city = registry.city_code(text["city"])
            if city is None:
                self.problem(line, "city", _("%(value)s is not a city in the registry") % {"value": text["city"]})
                return None
            counties = {county for county in counties if registry.county_city[county] == city}
            if not counties:
                self.problem(
                    line,
                    "county",
                    _("%(city)s has no county %(value)s") % {"city": registry.cities[city], "value": text["county"]},
                )
                return None
        if not text.get("township"):
            return dict.fromkeys(counties)
        places = {county: registry.township_code(county, text["township"]) for county in counties}
        places = {county: township for county, township in places.items() if township}
        if not places:
            self.problem(
                line,
                "township",
                _("%(county)s has no township %(value)s")
                % {
                    "county": "、".join(sorted(registry.counties[county] for county in counties)),
                    "value": text["township"],
                },
            )
            return None
        return places

    def match_code(self, line, code, text, places):
        if SCIENTIFIC.match(code):
            self.problem(
                line,
                "code",
                _(
                    "%(value)s is a code that Excel shortened to scientific notation: its last digits are lost. "
                    "Format the column as text before typing or pasting the 12-digit codes, then enter them again."
                )
                % {"value": code},
            )
            return None
        if not re.match(VILLAGE_CODE_REGEX, code):
            self.problem(line, "code", _("%(value)s is not a village code (12 digits)") % {"value": code})
            return None
        village = self.registry.by_code.get(code)
        if village is None:
            self.problem(
                line,
                "code",
                _(
                    "no village with code %(code)s in the registry; check the code (the village list's export gives them all)"
                )
                % {"code": code},
            )
            return None
        if village["withdrawn_at"] is not None:
            self.problem(line, "code", withdrawn_text(village))
            return None
        city = not places and text.get("city") and self.registry.city_code(text["city"])
        if city and self.registry.county_city[village["county_id"]] != city:
            self.problem(
                line,
                "city",
                _("village %(code)s is in %(actual)s, not %(given)s; the code decides: correct that column or the code")
                % {
                    "code": code,
                    "actual": self.registry.cities[self.registry.county_city[village["county_id"]]],
                    "given": text["city"],
                },
            )
            return None
        if places and village["county_id"] not in places:
            actual, given = self.registry.counties[village["county_id"]], text["county"]
            if normalize(actual) == normalize(given):  # the same name in another city: the cities tell them apart
                actual = self.registry.county_in_city(village["county_id"])
                given = "、".join(self.registry.county_in_city(county) for county in sorted(places))
            self.problem(
                line,
                "county",
                _("village %(code)s is in %(actual)s, not %(given)s; the code decides: correct that column or the code")
                % {"code": code, "actual": actual, "given": given},
            )
            return None
        township_code = places.get(village["county_id"])
        if township_code and township_code != village["township_id"]:
            self.problem(
                line,
                "township",
                _("village %(code)s is in %(actual)s, not %(given)s; the code decides: correct that column or the code")
                % {
                    "code": code,
                    "actual": self.registry.townships[village["township_id"]][0],
                    "given": text["township"],
                },
            )
            return None
        name = text.get("name")
        if (
            name
            and name not in (village["name"], village["short_name"])
            and not village_keys({"name": name, "short_name": name}) & village_keys(village)
        ):
            self.problem(
                line,
                "name",
                _("village %(code)s is %(actual)s, not %(given)s")
                % {"code": code, "actual": village["name"], "given": text["name"]},
            )
            return None
        return village

    def match_name(self, line, name, places):
        """The one village of that name in the row's county (or, for a county name two cities use, in one of
        them); its township when the row gives one."""
        registry = self.registry
        keys = village_keys({"name": name, "short_name": name})
        candidates = {
            v["code"]: v
            for county, township in places.items()
            for key in keys
            for v in registry.by_place.get((county, key), [])
            if township is None or v["township_id"] == township
        }
        if len(places) > 1:
            place = "、".join(registry.county_in_city(county) for county in sorted(places))
        else:
            [(county, township)] = places.items()
            place = registry.townships[township][0] if township else registry.counties[county]
        withdrawn = [v for v in candidates.values() if v["withdrawn_at"] is not None]
        candidates = {code: v for code, v in candidates.items() if v["withdrawn_at"] is None}
        counties = sorted({v["county_id"] for v in candidates.values()})
        if not candidates and withdrawn:
            self.problem(line, "name", "; ".join(withdrawn_text(v) for v in withdrawn))
            return None
        if not candidates:
            self.problem(line, "name", _("%(place)s has no village %(name)s") % {"place": place, "name": name})
            return None
        if len(counties) > 1:
            self.ambiguous_county(line, counties)
            return None
        if len(candidates) > 1:
            listed = "、".join(
                f"{v['name']} ({code}, {registry.townships[v['township_id']][0]})"
                for code, v in sorted(candidates.items())
            )
            self.problem(
                line,
                "name",
                _("%(place)s has %(count)d villages called %(name)s: %(candidates)s; give the village code")
                % {"place": place, "count": len(candidates), "name": name, "candidates": listed},
            )
            return None
        return next(iter(candidates.values()))

    def ambiguous_county(self, line, counties):
        self.problem(
            line,
            "county",
            _("%(value)s is the name of %(count)d counties: %(candidates)s; give the city (市) or the village code")
            % {
                "value": self.registry.counties[counties[0]],
                "count": len(counties),
                "candidates": "、".join(self.registry.county_in_city(county) for county in counties),
            },
        )
