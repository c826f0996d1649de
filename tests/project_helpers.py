"""Shared pieces of the project tests: a project of a village with its funds, moved along its lifecycle through the
workflow (as the pages do)."""

from decimal import Decimal

from villages.projects import workflow
from villages.projects.models import Category, Level, Stage

D = Decimal
PATH = [Stage.APPROVED, Stage.IN_PROGRESS, Stage.COMPLETED, Stage.ACCEPTED]


def make_project(village, editor, name="村道硬化", category=Category.INFRASTRUCTURE, year=2025, funds=None, **fields):
    """A project in 储备 of the one village, with funds = {source: amount} planned by the county's editor."""
    project = workflow.create_project(
        editor, village.township, [village], name=name, category=category, year=year, **fields
    )
    if funds:
        workflow.save_funds(project, project.version, editor, {s: (D(a), None) for s, a in funds.items()})
    return project


def move_to(project, stage, editor, reviewer):
    """Move the project along the path up to `stage`; output indicators get actual values on the way if needed."""
    done = PATH.index(project.stage) + 1 if project.stage in PATH else 0
    for step in PATH[done : PATH.index(stage) + 1]:
        if step == Stage.COMPLETED:
            rows = [
                (indicator.pk, {"actual_text": indicator.actual_text or "完成"})
                for indicator in project.indicators.filter(level=Level.OUTPUT)
            ]
            if rows:
                workflow.save_indicators(project, project.version, editor, rows)
        user = reviewer if workflow.MOVES[(project.stage, step)] == workflow.REVIEWER else editor
        workflow.move(project, project.version, user, step)
    return project
