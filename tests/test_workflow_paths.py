"""No module but villages/workflow.py writes a village's state (issue 21): its status, progress, version,
acceptance, return or withdrawal. Read from the code: assignments to those attributes or keys, setattr with
their names, and queryset writes (update, bulk_update, create…) that name them.

Other state machines own the same words for their own models; each is allowed only its own objects, named here.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = {"status", "progress", "version", "accepted_at", "return_reason", "withdrawn_at", "withdrawn_by"}
WRITES = {"update", "bulk_update", "create", "get_or_create", "update_or_create", "bulk_create"}
THE_STATE_MACHINE = "villages/workflow.py"
# (module, what it writes): the acceptance app's own applications and reviews, the projects app's projects and funds.
OTHER_STATE_MACHINES = {
    ("villages/acceptance/workflow.py", "application.status"),
    ("villages/acceptance/workflow.py", "obj.version"),
    ("villages/projects/workflow.py", "obj.version"),
    ("villages/projects/workflow.py", "project.version"),  # the demo's projects, written in bulk (create_demo)
}
CODE = ["config", "counties", "villages", "api"]


def is_state_key(target):
    """x["status"] = …, but not a form's initial values."""
    return (
        isinstance(target, ast.Subscript)
        and isinstance(target.slice, ast.Constant)
        and target.slice.value in STATE
        and not ast.unparse(target.value).endswith("initial")
    )


def is_state_attribute(target):
    """x.status = …, but not self.status in a class of its own (an exception's HTTP status, say)."""
    own = isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"
    return isinstance(target, ast.Attribute) and target.attr in STATE and not own


def about_villages(call):
    """Whether a queryset write is about villages (Village.objects…, village.…): other models' status, progress and
    version fields (a report's snapshot of a village, a standard's version) are theirs."""
    return isinstance(call.func, ast.Attribute) and "illage" in ast.unparse(call.func.value)


def writes_in(source):
    """(line, text) of every write of a state field in the source."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for each in target.elts if isinstance(target, ast.Tuple) else [target]:
                if is_state_attribute(each) or is_state_key(each):
                    yield node.lineno, ast.unparse(each)
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name == "setattr" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            if node.args[1].value in STATE:
                yield node.lineno, ast.unparse(node)
        elif name in WRITES and about_villages(node):
            if any(keyword.arg in STATE for keyword in node.keywords):
                yield node.lineno, ast.unparse(node.func) + "(" + ", ".join(k.arg or "**" for k in node.keywords) + ")"
            fields = [arg for arg in node.args if isinstance(arg, (ast.List, ast.Tuple))]
            if any(isinstance(item, ast.Constant) and item.value in STATE for arg in fields for item in arg.elts):
                yield node.lineno, ast.unparse(node)


def offending_writes():
    for folder in CODE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative == THE_STATE_MACHINE:
                continue
            for line, text in writes_in(path.read_text(encoding="utf-8")):
                if (relative, text) not in OTHER_STATE_MACHINES:
                    yield f"{relative}:{line}: {text}"


def test_only_the_workflow_writes_a_villages_state():
    assert list(offending_writes()) == []


def test_the_reader_sees_every_kind_of_write():
    source = """
village.status = "accepted"
village.version += 1
a, village.progress = 1, 2
state["accepted_at"] = now
setattr(village, "return_reason", "")
Village.objects.filter(pk=1).update(version=F("version") + 1)
Village.objects.bulk_update(villages, ["status"])
village.notes = "fine"
NoChange.objects.create(period=period, status="completed")
self.status = 401
"""
    assert [text for _line, text in writes_in(source)] == [
        "village.status",
        "village.version",
        "village.progress",
        "state['accepted_at']",
        "setattr(village, 'return_reason', '')",
        "Village.objects.filter(pk=1).update(version)",
        "Village.objects.bulk_update(villages, ['status'])",
    ]
