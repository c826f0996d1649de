"""OGC API - Features, Part 1 (Core, GeoJSON) and Part 2 (CRS by reference), read-only, at /ogc/.

No maintained library serves OGC API Features from Django without GeoDjango (django-oapif needs Django REST
framework with GeoDjango; pygeoapi is a server of its own with no per-user visibility), so the small core is here:
landing page, conformance, API definition, collections, items with paging, bbox, datetime, filters and CRS, one
item. Signed-in users (a session, or an API token) only; every item is asked of the visibility rules.
"""

import json

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from api.ogc import crs as crs_module
from api.ogc import params
from api.ogc.collections import COLLECTIONS, collection_or_error, site_extent
from api.ogc.openapi import definition
from config.middleware import json_error
from villages.views.maps import api_login_required, compressed

JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]


def answer(data, content_type=JSON, crs=None):
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")), content_type=f"{content_type}; charset=utf-8"
    )
    if crs is not None:
        response["Content-Crs"] = crs_module.content_crs(crs)
    return response


def bad_request(error):
    return json_error(error.reason, 400, parameter=error.parameter)


def ogc_view(view):
    """Signed in, GET or HEAD only, and a BadRequest answered as a 400 with its reason."""

    @require_safe
    @api_login_required
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except params.BadRequest as error:
            return bad_request(error)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def link(request, name, rel, media_type, title="", args=(), query=None):
    href = request.build_absolute_uri(reverse(name, args=args))
    if query:
        href += "?" + urlencode(query)
    item = {"href": href, "rel": rel, "type": media_type}
    if title:
        item["title"] = str(title)
    return item


@ogc_view
def landing(request):
    params.parse(request.GET, {}, paged=False)
    return answer(
        {
            "title": _("百乡千村 tracker: villages, counties and townships"),
            "description": _(
                "OGC API - Features of the 百乡千村 programme: what your account may see, in WGS 84 (CRS84) or "
                "CGCS2000 (EPSG:4490)."
            ),
            "links": [
                link(request, "api:ogc_landing", "self", JSON),
                link(request, "api:ogc_openapi", "service-desc", OPENAPI, _("API definition")),
                link(request, "api:data", "service-doc", "text/html", _("GIS data and API")),
                link(request, "api:ogc_conformance", "conformance", JSON),
                link(request, "api:ogc_collections", "data", JSON, _("Collections")),
            ],
        }
    )


@ogc_view
def conformance(request):
    params.parse(request.GET, {}, paged=False)
    return answer({"conformsTo": CONFORMANCE})


@ogc_view
def openapi(request):
    return answer(definition(request), OPENAPI)


def collection_description(request, collection, extent):
    return {
        "id": collection.id,
        "title": str(collection.title),
        "description": str(collection.description),
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [extent], "crs": crs_module.CRS84}},
        "crs": list(crs_module.SUPPORTED),
        "storageCrs": crs_module.CRS84,
        "links": [
            link(request, "api:ogc_collection", "self", JSON, args=[collection.id]),
            link(request, "api:ogc_items", "items", GEOJSON, collection.title, args=[collection.id]),
        ],
    }


@ogc_view
def collections(request):
    params.parse(request.GET, {}, paged=False)
    extent = site_extent()
    return answer(
        {
            "links": [link(request, "api:ogc_collections", "self", JSON)],
            "crs": list(crs_module.SUPPORTED),
            "collections": [collection_description(request, each, extent) for each in COLLECTIONS.values()],
        }
    )


@ogc_view
def collection(request, collection_id):
    params.parse(request.GET, {}, paged=False)
    return answer(collection_description(request, collection_or_error(collection_id), site_extent()))


def page_links(request, collection, query, returned, matched):
    base = {key: value for key, value in request.GET.items() if key != "offset"}
    links = [link(request, "api:ogc_items", "self", GEOJSON, args=[collection.id], query=request.GET)]
    if query.offset + returned < matched:
        more = {**base, "offset": query.offset + returned, "limit": query.limit}
        links.append(link(request, "api:ogc_items", "next", GEOJSON, _("Next page"), [collection.id], more))
    if query.offset > 0:
        back = {**base, "offset": max(0, query.offset - query.limit), "limit": query.limit}
        links.append(link(request, "api:ogc_items", "prev", GEOJSON, _("Previous page"), [collection.id], back))
    links.append(link(request, "api:ogc_collection", "collection", JSON, args=[collection.id]))
    return links


@compressed
@ogc_view
def items(request, collection_id):
    collection = collection_or_error(collection_id)
    query = params.parse(request.GET, collection.filters)
    features, matched = collection.page(request, request.user, query)
    body = {
        "type": "FeatureCollection",
        "timeStamp": timezone.now().isoformat(timespec="seconds").replace("+00:00", "Z"),
        "numberMatched": matched,
        "numberReturned": len(features),
        "features": features,
        "links": page_links(request, collection, query, len(features), matched),
    }
    if query.limit_requested is not None:
        body["notice"] = _(
            "limit=%(requested)d is above the maximum of %(maximum)d: pages of %(maximum)d features are sent."
        ) % {"requested": query.limit_requested, "maximum": params.MAX_LIMIT}
    return answer(body, GEOJSON, query.crs)


@ogc_view
def item(request, collection_id, feature_id):
    collection = collection_or_error(collection_id)
    query = params.parse(request.GET, {}, paged=False)
    feature = collection.one(request, request.user, feature_id, query.crs)
    if feature is None:
        return json_error(
            _("There is no feature “%(id)s” in %(collection)s that you may see.")
            % {"id": feature_id, "collection": collection_id},
            404,
        )
    feature["links"] = [
        link(request, "api:ogc_item", "self", GEOJSON, args=[collection.id, feature_id]),
        link(request, "api:ogc_collection", "collection", JSON, args=[collection.id]),
    ]
    return answer(feature, GEOJSON, query.crs)
