from django.db import migrations

# The city plan: 40 精品示范村 and 300 提档升级村 in 2025; 100 and 1,000 cumulatively by 2027.
PLAN = [
    (2025, "showcase", "annual", 40),
    (2025, "upgraded", "annual", 300),
    (2027, "showcase", "cumulative", 100),
    (2027, "upgraded", "cumulative", 1000),
]


def seed_plan(apps, schema_editor):
    Target = apps.get_model("villages", "Target")
    for year, tier, kind, count in PLAN:
        Target.objects.get_or_create(year=year, tier=tier, kind=kind, defaults={"count": count})


def unseed_plan(apps, schema_editor):
    Target = apps.get_model("villages", "Target")
    for year, tier, kind, count in PLAN:
        Target.objects.filter(year=year, tier=tier, kind=kind, count=count).delete()


class Migration(migrations.Migration):
    dependencies = [("villages", "0002_targets")]
    operations = [migrations.RunPython(seed_plan, unseed_plan)]
