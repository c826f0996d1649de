from django.db import migrations, models
from django.db.models import Q

CITY_ROLES = ["city_admin", "viewer"]
ROLES = ["province_admin", "province_viewer", "city_admin", "viewer", "county_editor", "none"]


def report_and_close_inconsistent_profiles(apps, schema_editor):
    """Profiles whose role and scope do not fit are printed, and left without access so that the constraints can
    be added: a city role without a city, a province role with one, or an unknown role becomes "none" (no role
    yet); a county editor keeps their counties and loses the city access never read. A county editor without
    counties keeps the role, which gives no access until an administrator adds the counties."""
    Profile = apps.get_model("counties", "Profile")
    profiles = Profile.objects.select_related("user").order_by("user__username")
    editors_with_a_city = profiles.filter(role="county_editor", city__isnull=False)
    closed = profiles.filter(
        Q(role__in=CITY_ROLES, city__isnull=True)
        | (~Q(role__in=[*CITY_ROLES, "county_editor"]) & Q(city__isnull=False))
        | ~Q(role__in=ROLES)
    )
    editors_without_counties = profiles.filter(role="county_editor", counties__isnull=True)
    lines = [
        *(f"  {p.user.username}: {p.role} without a city -> no role (no access)" for p in closed if p.city_id is None),
        *(f"  {p.user.username}: {p.role} with city {p.city_id} -> no role (no access)" for p in closed if p.city_id),
        *(f"  {p.user.username}: county editor with city {p.city_id} -> the city cleared" for p in editors_with_a_city),
        *(f"  {p.user.username}: county editor without counties -> no access" for p in editors_without_counties),
    ]
    if lines:
        print("\nProfiles whose role and scope did not fit (give them a role in the admin):", *lines, sep="\n")
    closed.update(role="none", city=None)
    editors_with_a_city.update(city=None)


class Migration(migrations.Migration):
    dependencies = [
        ("counties", "0007_countyboundary_digest"),
    ]

    operations = [
        migrations.RunPython(report_and_close_inconsistent_profiles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="profile",
            name="role",
            field=models.CharField(
                choices=[
                    ("province_admin", "province administrator"),
                    ("province_viewer", "province viewer (read-only)"),
                    ("city_admin", "city administrator"),
                    ("viewer", "city viewer (read-only)"),
                    ("county_editor", "county editor"),
                    ("none", "no role yet (no access)"),
                ],
                default="none",
                max_length=20,
                verbose_name="role",
            ),
        ),
        migrations.AddConstraint(
            model_name="profile",
            constraint=models.CheckConstraint(condition=Q(role__in=ROLES), name="profile_role_known"),
        ),
        migrations.AddConstraint(
            model_name="profile",
            constraint=models.CheckConstraint(
                condition=Q(role__in=CITY_ROLES, city__isnull=False)
                | (~Q(role__in=CITY_ROLES) & Q(city__isnull=True)),
                name="profile_city_for_city_roles_only",
            ),
        ),
    ]
