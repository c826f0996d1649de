"""Acceptance became an app of its own (label "acceptance"): a database migrated before keeps every standard,
application and history row, now in the acceptance app's tables, and the content types keep their ids."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("villages", "0010_targets_per_city")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_acceptance_rows_move_to_the_acceptance_app_with_their_content_types(registry):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        moved_rows(migrate(BEFORE), latest)
    finally:
        migrate(latest)  # the next tests need the schema back, whatever happened


def moved_rows(old, latest):
    from django.contrib.contenttypes.models import ContentType

    village = old.get_model("villages", "Village").objects.order_by("code").first()
    standard = old.get_model("villages", "Standard").objects.create(
        tier="showcase", year=2025, name="精品示范村验收细则", pass_score=80
    )
    old.get_model("villages", "HistoricalStandard").objects.create(
        id=standard.pk,
        tier="showcase",
        year=2025,
        version=1,
        name=standard.name,
        pass_score=80,
        created_at=standard.created_at,
        history_date=standard.created_at,
        history_type="+",
    )
    application = old.get_model("villages", "Application").objects.create(village=village, number=1, standard=standard)
    ContentType.objects.filter(app_label="acceptance", model="application").delete()  # as before the move
    content_type = ContentType.objects.create(app_label="villages", model="application")

    new = migrate(latest)
    moved = new.get_model("acceptance", "Application").objects.get()
    assert (moved.pk, moved.village_id, moved.number, moved.standard.name) == (
        application.pk,
        village.pk,
        1,
        "精品示范村验收细则",
    )
    assert new.get_model("acceptance", "HistoricalStandard").objects.get().name == "精品示范村验收细则"
    assert ContentType.objects.get(pk=content_type.pk).app_label == "acceptance"
    tables = connection.introspection.table_names()
    assert "acceptance_application" in tables and "villages_application" not in tables
