from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from counties.admin import CityAdminOnly
from villages.models import CountyQuota, Target, Village


@admin.register(Village)
class VillageAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "township", "county", "tier", "programme_year", "status", "progress", "updated_at"]
    list_filter = ["county", "township__kind", "tier", "status", "programme_year", "location_source"]
    list_select_related = ["county", "township"]
    search_fields = ["code", "name", "short_name"]
    readonly_fields = ["code", "township", "county", "updated_at", "updated_by"]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1  # an edit page opened before this save must not overwrite it
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

@admin.register(Target)
class TargetAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["year", "tier", "kind", "count"]
    list_filter = ["kind", "tier"]


@admin.register(CountyQuota)
class CountyQuotaAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["year", "tier", "county", "count"]
    list_filter = ["year", "tier", "county"]
    list_select_related = ["county"]
