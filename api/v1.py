"""The read API for figures, version 1, at /api/v1/ (django-ninja): the dashboard's table, a city's, a county's
figures and the series that draw the burn-up charts, as the pages show them (the same villages.progress code and the
same Tables as their CSV/XLSX downloads). Its OpenAPI description is at /api/v1/openapi.json and shown at
/api/v1/docs, from django-ninja's own copy of Swagger UI (no CDN).

Figures are open to every signed-in user (counties.access), so a session or any token reads all of it.
"""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationError
from ninja.security.http import HttpAuthBase

from config.middleware import api_error, json_error
from villages.forms import DashboardFilterForm
from villages.progress import county_page, dashboard, table_files
from villages.progress.tables import tier_and_status_table
from villages.progress.targets import illustrative_quota_keys
from villages.views.county import county_or_404
from villages.views.dashboard import city_or_404


class SignedIn(HttpAuthBase):
    """A browser session, or an API token (api.tokens.TokenAuthenticationMiddleware has already set the user)."""

    openapi_scheme = "bearer"

    def __init__(self):
        super().__init__()
        self.openapi_description = "Authorization: Token <token> (or Bearer <token>), or a signed-in browser session."

    def __call__(self, request):
        return request.user if request.user.is_authenticated else None


api = NinjaAPI(
    title="百乡千村 API",
    version="1",
    description=__doc__,
    urls_namespace="v1",
    auth=SignedIn(),
    docs_decorator=login_required,
)


@api.exception_handler(AuthenticationError)
def not_signed_in(request, exc):
    return api_error(401)


@api.exception_handler(Http404)
def not_found(request, exc):
    return json_error(str(exc) or _("Not found."), 404)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    where = ", ".join(".".join(str(part) for part in error.get("loc", [])[1:]) for error in exc.errors)
    return json_error(_("Invalid parameter: %(where)s.") % {"where": where}, 400, details=exc.errors)


class ProgressRow(Schema):
    code: str
    name: str
    quota: int | None
    quota_illustrative: bool
    designated: int
    in_progress: int
    completed: int
    accepted: int
    share: float | None
    change: int


class Dashboard(Schema):
    year: int
    tier: str
    date: date
    level: str
    rows: list[ProgressRow]


class YearRow(Schema):
    year: int
    tier: str
    quota: int | None
    quota_illustrative: bool
    designated: int
    in_progress: int
    completed: int
    accepted: int
    share: float | None
    change: int


class TownshipRow(Schema):
    code: str
    name: str
    villages: int
    without_location: int


class CountyFigures(Schema):
    code: str
    name: str
    city_code: str
    city: str
    years: list[YearRow]
    townships: list[dict]


class SeriesPoint(Schema):
    month_end: date
    accepted: int


class Series(Schema):
    tier: str
    target: int | None
    goal_year: int
    points: list[SeriesPoint]


def selection(request):
    """(year, tier) of the query, or a 400 naming what is wrong."""
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        raise_bad(form.errors)
    year, tier, _sort = form.selection()
    return year, tier


class BadQuery(Exception):
    pass


def raise_bad(errors):
    raise BadQuery("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))


@api.exception_handler(BadQuery)
def bad_query(request, exc):
    return json_error(str(exc), 400)


def dashboard_answer(request, city=None):
    year, tier = selection(request)
    data = dashboard.build(year, tier, timezone.localdate(), city=city)
    table = table_files.dashboard_table(data)
    return {"year": year, "tier": tier, "date": data.today, "level": data.level, "rows": table.records()}


@api.get("/dashboard", response=Dashboard, url_name="v1_dashboard", tags=["figures"])
def dashboard_table(request, year: int | None = None, tier: str | None = None):
    """The dashboard's table: a row per county (per city when the registry holds several), the total last
    (its code empty). `year` and `tier` (showcase, upgraded) as on the dashboard."""
    return dashboard_answer(request)


@api.get("/cities/{code}/dashboard", response=Dashboard, url_name="v1_city", tags=["figures"])
def city_table(request, code: str, year: int | None = None, tier: str | None = None):
    """A city page's table: a row per county of the city, the city's total last."""
    return dashboard_answer(request, city_or_404(code))


@api.get("/counties/{code}", response=CountyFigures, url_name="v1_county", tags=["figures"])
def county_figures(request, code: str):
    """A county's figures: progress by programme year and tier, and its townships' villages by tier and status."""
    county = county_or_404(code)
    page = county_page.build(county, timezone.localdate(), with_village_records=False)
    years = table_files.year_table(page, illustrative_quota_keys(county_id=code), tier_labels=False)
    townships = table_files.status_table("townships", "", "", *tier_and_status_table(county.townships.all()))
    return {
        "code": county.code,
        "name": county.name,
        "city_code": county.city.code,
        "city": county.city.name,
        "years": years.records(),
        "townships": townships.records()[:-1],
    }


@api.get("/progress", response=list[Series], url_name="v1_progress", tags=["figures"])
def progress_series(
    request, county: str | None = None, city: str | None = None, year: int | None = None, tier: str | None = None
):
    """The series each burn-up chart draws: villages accepted by the end of each month, per tier, with the
    cumulative target of the goal year. For the registry's dashboard, a city (`city`) or a county (`county`)."""
    today = timezone.localdate()
    if county:
        page = county_page.build(county_or_404(county), today, with_village_records=False)
        goal, outlooks = page.goal, page.outlooks
    else:
        year, tier = selection(request)
        data = dashboard.build(year, tier, today, city=city_or_404(city) if city else None)
        goal, outlooks = data.goal, data.cumulative
    return [
        {
            "tier": outlook.tier,
            "target": outlook.target,
            "goal_year": goal,
            "points": [{"month_end": month_end, "accepted": accepted} for month_end, accepted in outlook.series],
        }
        for outlook in outlooks
    ]
