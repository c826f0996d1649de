"""The collections of the OGC API: what each holds, its filters, and its features for a user.

Visibility is asked of villages.access (village records) and villages.projects.access (the project pool), and is
open for counties and townships (their figures are open to every signed-in user, counties.access). Each collection is
a class with the same four members (id, title, description, geometry, filters; page and one), listed in COLLECTIONS.
"""

from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.ogc import crs as crs_module
from api.ogc.params import BadRequest, Query, choice, code, year
from counties.boundaries import county_places
from counties.models import County, Township
from villages.access import visible_villages
from villages.maps import data as map_data
from villages.models import LocationSource, Status, Tier, Village
from villages.progress import targets
from villages.progress.counts import TIERS
from villages.progress.tables import tier_and_status_table
from villages.projects import money
from villages.projects.access import visible_projects
from villages.projects.models import Category, ProjectFund, Source, Stage


def in_crs(features, crs):
    """Point and polygon features given in CRS84, converted in place to `crs`."""
    if crs == crs_module.DEFAULT:
        return features
    points = [feature for feature in features if feature["geometry"] and feature["geometry"]["type"] == "Point"]
    if points:
        lons = [feature["geometry"]["coordinates"][0] for feature in points]
        lats = [feature["geometry"]["coordinates"][1] for feature in points]
        firsts, seconds = crs_module.from_crs84(crs, lons, lats)
        for feature, first, second in zip(points, firsts, seconds, strict=True):
            feature["geometry"] = {"type": "Point", "coordinates": [float(first), float(second)]}
    for feature in features:
        if feature["geometry"] and feature["geometry"]["type"] != "Point":
            feature["geometry"] = crs_module.geometry_in(crs, feature["geometry"])
    return features


def site_extent():
    """[min lon, min lat, max lon, max lat] of every county boundary (CRS84), or the world without any."""
    bounds = [place.bounds for place in county_places().values()]
    if not bounds:
        return [-180.0, -90.0, 180.0, 90.0]
    return [min(b[0] for b in bounds), min(b[1] for b in bounds), max(b[2] for b in bounds), max(b[3] for b in bounds)]


def filtered(objects, query, lookups):
    """The objects (a queryset with updated_at) that match the query's filters, each applied through its lookup in
    `lookups` ({filter: lookup}), and its datetime interval."""
    for name, lookup in lookups.items():
        if name in query.filters:
            objects = objects.filter(**{lookup: query.filters[name]})
    if query.interval:
        start, end = query.interval
        if start:
            objects = objects.filter(updated_at__gte=start)
        if end:
            objects = objects.filter(updated_at__lte=end)
    return objects


class Villages:
    id = "villages"
    title = _("Villages")
    description = _(
        "Every administrative village you may see, as a point where its location is known (the property "
        "location_source says where a point comes from; illustrative = true marks a made-up point inside its "
        "county, not a real location) and without a geometry where it is not. Filters: county, township, tier, "
        "status, year (programme year); datetime applies to updated_at."
    )
    geometry = "point"
    filters = {
        "county": code(6),
        "township": code(9),
        "tier": choice(Tier.values),
        "status": choice(Status.values),
        "year": year,
    }

    def matching(self, user, query):
        lookups = {
            "county": "county_id__in",
            "township": "township_id__in",
            "tier": "tier__in",
            "status": "status__in",
            "year": "programme_year",
        }
        villages = filtered(visible_villages(user), query, lookups)
        if query.bbox:
            min_lon, min_lat, max_lon, max_lat = query.bbox
            villages = villages.filter(lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat)
        return villages

    def page(self, request, user, query):
        """(features of the page, number matched)."""
        villages = self.matching(user, query)
        rows = villages.order_by("code").values(*map_data.VILLAGE_FIELDS)[query.offset : query.offset + query.limit]
        url_parts = village_url_parts(request)
        features = [map_data.village_feature(row, url_parts) for row in rows]
        matched = villages.count() if len(features) == query.limit or query.offset else len(features)
        return in_crs(features, query.crs), matched

    def one(self, request, user, feature_id, crs):
        row = visible_villages(user).filter(code=feature_id).values(*map_data.VILLAGE_FIELDS).first()
        if row is None:
            return None
        return in_crs([map_data.village_feature(row, village_url_parts(request))], crs)[0]


def village_url_parts(request):
    prefix, suffix = map_data.village_url_parts()
    return request.build_absolute_uri(prefix), suffix


class Counties:
    id = "counties"
    title = _("Counties")
    description = _(
        "Every county with its boundary (statistical pseudo-counties have none) and its figures for the "
        "programme year given by the year parameter (this year by default), per tier: villages designated, in "
        "progress, completed and accepted, and the quota; <tier>_quota_illustrative = true marks a quota that is "
        "demo data. Filters: city, county, year."
    )
    geometry = "polygon"
    filters = {"city": code(4), "county": code(6), "year": year}

    def all_features(self, request, query):
        year_shown = query.filters.get("year", timezone.localdate().year)
        counties = County.objects.select_related("city").order_by("code")
        if "city" in query.filters:
            counties = counties.filter(city_id__in=query.filters["city"])
        if "county" in query.filters:
            counties = counties.filter(code__in=query.filters["county"])
        places = county_places()
        if query.bbox:
            min_lon, min_lat, max_lon, max_lat = query.bbox
            counties = [
                county
                for county in counties
                if county.code in places
                and not (
                    places[county.code].bounds[0] > max_lon
                    or places[county.code].bounds[2] < min_lon
                    or places[county.code].bounds[1] > max_lat
                    or places[county.code].bounds[3] < min_lat
                )
            ]
        counties = list(counties)
        progress = {
            tier: {row.code: row.progress for row in map_data.county_progress(year_shown, [tier])} for tier in TIERS
        }
        illustrative = targets.illustrative_quota_keys(year=year_shown)
        prefix = request.build_absolute_uri("/counties/")
        return [
            {
                "type": "Feature",
                "id": county.code,
                "geometry": places[county.code].boundary if county.code in places else None,
                "properties": {
                    "code": county.code,
                    "name": county.name,
                    "city_code": county.city_id,
                    "city": county.city.name,
                    "label_lon": county.label_lon,
                    "label_lat": county.label_lat,
                    "year": year_shown,
                    **{
                        f"{tier}_{name}": value
                        for tier in TIERS
                        for name, value in county_figures(progress[tier][county.code]).items()
                    },
                    **{f"{tier}_quota_illustrative": (year_shown, tier, county.code) in illustrative for tier in TIERS},
                    "url": f"{prefix}{county.code}/",
                },
            }
            for county in counties
        ]

    def page(self, request, user, query):
        features = self.all_features(request, query)
        return in_crs(features[query.offset : query.offset + query.limit], query.crs), len(features)

    def one(self, request, user, feature_id, crs):
        found = self.all_features(request, Query(filters={"county": [feature_id]}))
        return in_crs(found, crs)[0] if found else None


def county_figures(progress):
    return {
        "designated": progress.designated,
        "in_progress": progress.in_progress,
        "completed": progress.completed,
        "accepted": progress.accepted,
        "quota": progress.target,
    }


class Townships:
    id = "townships"
    title = _("Townships")
    description = _(
        "Every township (乡镇、街道) with its villages counted by tier and by status. The registry gives townships "
        "no location or outline: their geometry is empty, and a bbox matches none. Filters: city, county."
    )
    geometry = None
    filters = {"city": code(4), "county": code(6)}

    def matching(self, query):
        townships = Township.objects.select_related("county").order_by("code")
        if "county" in query.filters:
            townships = townships.filter(county_id__in=query.filters["county"])
        if "city" in query.filters:
            townships = townships.filter(county__city_id__in=query.filters["city"])
        if query.bbox:
            townships = townships.none()
        return townships

    def features(self, townships):
        units = {township.code: township for township in townships}
        rows, _total = tier_and_status_table(Township.objects.filter(code__in=list(units)))
        features = []
        for row in rows:
            township = units[row.unit.code]
            features.append(
                {
                    "type": "Feature",
                    "id": township.code,
                    "geometry": None,
                    "properties": {
                        "code": township.code,
                        "name": township.name,
                        "kind": township.kind,
                        "county_code": township.county_id,
                        "county": township.county.name,
                        "villages": row.total,
                        "villages_without_location": row.unlocated,
                        **{f"tier_{tier}": count for tier, count in zip(Tier.values, row.by_tier, strict=True)},
                        **{f"status_{status}": n for status, n in zip(Status.values, row.by_status, strict=True)},
                    },
                }
            )
        return features

    def page(self, request, user, query):
        townships = self.matching(query)
        return self.features(townships[query.offset : query.offset + query.limit]), townships.count()

    def one(self, request, user, feature_id, crs):
        found = self.features(Township.objects.select_related("county").filter(code=feature_id))
        return found[0] if found else None


class Projects:
    id = "projects"
    title = _("Projects")
    description = _(
        "Every project of the project pool (项目库) you may see, at the point of its village where that village is "
        "located (of its first located village, by code, for a project of several villages; location_source and "
        "illustrative = true say where the point comes from, as for villages), without a geometry where none is. "
        "Properties: the planned total and the amount planned per source (planned_<source>, 万元), spent to date "
        "and the spending rate (支出率, a fraction) as of the latest month reported, is_illustrative = true for a "
        "demo project. Filters: county, year (programme year), category, stage; bbox matches a project any of whose "
        "villages lies inside; datetime applies to updated_at."
    )
    geometry = "point"
    filters = {
        "county": code(6),
        "year": year,
        "category": choice(Category.values),
        "stage": choice(Stage.values),
    }
    source_keys = {source.value: f"planned_{source.name.lower()}" for source in Source}

    def matching(self, user, query):
        lookups = {"county": "county_id__in", "category": "category__in", "stage": "stage__in", "year": "year"}
        projects = filtered(visible_projects(user), query, lookups)
        if query.bbox:
            min_lon, min_lat, max_lon, max_lat = query.bbox
            inside = Village.all_objects.filter(
                projects=OuterRef("pk"), lon__gte=min_lon, lon__lte=max_lon, lat__gte=min_lat, lat__lte=max_lat
            )
            projects = projects.filter(Exists(inside))
        return projects

    def features(self, projects, request):
        """The features of the projects (a sliced queryset): three queries, whatever their number."""
        villages = Village.all_objects.only("code", "short_name", "lat", "lon", "location_source").order_by("code")
        projects = list(
            projects.select_related("county", "township").prefetch_related(Prefetch("villages", queryset=villages))
        )
        funds = {}
        for fund in ProjectFund.objects.filter(project__in=[p.pk for p in projects]).values(
            "project_id", "source", "planned", "spent", "reported_month"
        ):
            funds.setdefault(fund["project_id"], []).append(fund)
        prefix = request.build_absolute_uri(reverse("projects:list"))
        return [self.feature(project, funds.get(project.pk, []), prefix) for project in projects]

    def feature(self, project, funds, prefix):
        villages = list(project.villages.all())
        point = next((village for village in villages if village.lat is not None), None)
        planned = sum((fund["planned"] for fund in funds), money.ZERO)
        spent = sum((fund["spent"] for fund in funds), money.ZERO)
        rate = money.spending_rate(spent, planned)
        months = [fund["reported_month"] for fund in funds if fund["reported_month"]]
        by_source = {fund["source"]: fund["planned"] for fund in funds}
        return {
            "type": "Feature",
            "id": project.pk,
            "geometry": {"type": "Point", "coordinates": [point.lon, point.lat]} if point else None,
            "properties": {
                "id": project.pk,
                "name": project.name,
                "category": project.category,
                "year": project.year,
                "stage": project.stage,
                "county_code": project.county_id,
                "county": project.county.name,
                "township_code": project.township_id,
                "township": project.township.name,
                "village_codes": ",".join(village.code for village in villages),
                "village_names": ",".join(village.short_name for village in villages),
                "planned": float(planned),
                **{key: float(by_source.get(value, 0)) for value, key in self.source_keys.items()},
                "spent": float(spent),
                "spending_rate": None if rate is None else round(float(rate), 4),
                "reported_month": max(months).strftime("%Y-%m") if months else None,
                "is_illustrative": project.is_illustrative,
                "location_source": point.location_source if point else None,
                "illustrative": bool(point) and point.location_source == LocationSource.ILLUSTRATIVE,
                "url": f"{prefix}{project.pk}/",
            },
        }

    def page(self, request, user, query):
        projects = self.matching(user, query).order_by("pk")
        features = self.features(projects[query.offset : query.offset + query.limit], request)
        matched = projects.count() if len(features) == query.limit or query.offset else len(features)
        return in_crs(features, query.crs), matched

    def one(self, request, user, feature_id, crs):
        if not (feature_id.isascii() and feature_id.isdigit()):
            return None
        found = self.features(visible_projects(user).filter(pk=int(feature_id)), request)
        return in_crs(found, crs)[0] if found else None


COLLECTIONS = {collection.id: collection for collection in (Villages(), Counties(), Townships(), Projects())}


def collection_or_error(collection_id):
    if collection_id not in COLLECTIONS:
        raise BadRequest(
            _("There is no collection “%(id)s”; the collections are %(known)s.")
            % {"id": collection_id, "known": ", ".join(COLLECTIONS)},
            "collectionId",
        )
    return COLLECTIONS[collection_id]
