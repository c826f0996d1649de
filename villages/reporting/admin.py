from django.contrib import admin

from counties.access import administers_every_county, city_of, is_province_admin
from counties.admin import CityAdminOnly
from counties.models import City
from villages.reporting import access
from villages.reporting.models import Bulletin, NoChange, Period, Reminder, Rules, Urge


@admin.register(Period)
class PeriodAdmin(CityAdminOnly, admin.ModelAdmin):
    """The programme's periods are the province's (or the one city's administrators'); a city administrator adds
    special rounds (督查) for their city."""

    list_display = ["key", "name", "kind", "start", "end", "deadline", "city", "is_illustrative"]
    list_filter = ["kind", "city"]
    search_fields = ["key", "name"]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or access.can_manage_period(request.user, obj))

    has_delete_permission = has_change_permission

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "city" and not administers_every_county(request.user):
            kwargs["queryset"] = City.objects.filter(code=city_of(request.user))
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Rules)
class RulesAdmin(CityAdminOnly, admin.ModelAdmin):
    list_display = ["__str__", "remind_days_before", "praise_at_least", "criticise_below"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if is_province_admin(request.user) else queryset.filter(city_id=city_of(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "city" and not is_province_admin(request.user):
            kwargs["queryset"] = City.objects.filter(code=city_of(request.user))
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnly(CityAdminOnly):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["period", "user", "kind", "missing", "created_at", "read_at", "mail", "mailed_at", "mail_error"]
    list_filter = ["kind", "mail", "period"]
    list_select_related = ["period", "user"]


@admin.register(Bulletin)
class BulletinAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["period", "city", "number", "issued_at", "issued_by", "is_illustrative"]
    list_select_related = ["period", "city", "issued_by"]
    exclude = ["figures"]


@admin.register(NoChange)
class NoChangeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["period", "village", "confirmed_at", "confirmed_by", "status", "progress"]
    list_select_related = ["period", "village", "confirmed_by"]
    raw_id_fields = ["village"]


@admin.register(Urge)
class UrgeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["period", "county", "day", "requested_at", "requested_by"]
    list_select_related = ["period", "county", "requested_by"]
