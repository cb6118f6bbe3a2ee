"""The apps import one way: each app imports only the apps below it in ORDER.

Imports inside functions count (they close circles all the same); migrations do not
(Django writes them). `kapuas_kinerja/` is the project, not an app: apps may use its
helper modules, never its urls, and it may import any app. README's "Map of the code"
states the same order.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)

# Bottom first. An app may import only the apps to its left.
ORDER = ["opd", "skp", "tpp", "reports", "reminders", "helpdesk", "ops", "identity", "dashboards", "bench"]

# Strings no project code holds (issue 16): Django's private on-commit list and per-thread state.
FORBIDDEN_STRINGS = ("run_on_" + "commit", "threading" + ".local")


def imported_modules(source: str) -> list[tuple[str, int]]:
    """Every absolute module a source imports, anywhere in it, with its line.

    `from skp import views` names `skp.views`, so that importing a module by its
    parent is seen as what it is.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
            found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def app_modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.relative_to(ROOT).parts:
            yield path


def app_imports() -> list[tuple[str, str, str]]:
    """(importing app, imported module, where) for every import of another app or of the project's urls."""
    edges = []
    for app in ORDER:
        for path in app_modules(app):
            for module, line in imported_modules(path.read_text()):
                top = module.split(".")[0]
                if (top in ORDER and top != app) or module.startswith("kapuas_kinerja.urls"):
                    edges.append((app, module, f"{path.relative_to(ROOT)}:{line}"))
    return edges


def circles(edges) -> list[list[str]]:
    """The groups of apps that reach each other (Tarjan's strongly connected components, size > 1)."""
    graph = {app: set() for app in ORDER}
    for app, module, _where in edges:
        if module.split(".")[0] in graph:
            graph[app].add(module.split(".")[0])
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(app):
        index[app] = low[app] = len(index)
        stack.append(app)
        on_stack.add(app)
        for other in graph[app]:
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in on_stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == app:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for app in ORDER:
        if app not in index:
            visit(app)
    return found


def test_the_order_names_every_app_of_the_project():
    local = {app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()}
    assert set(ORDER) == local
    assert not (ROOT / "kapuas_kinerja" / "apps.py").exists()  # the project, not an app


def test_the_readme_states_the_same_order():
    assert " < ".join(ORDER) in (ROOT / "README.md").read_text()


def test_no_circle_between_apps():
    assert circles(app_imports()) == []


def test_each_app_imports_only_the_apps_below_it():
    upward = [
        f"{where}: {app} imports {module}"
        for app, module, where in app_imports()
        if module.split(".")[0] in ORDER and ORDER.index(module.split(".")[0]) > ORDER.index(app)
    ]
    assert upward == []


def test_no_app_imports_another_apps_views_or_the_project_urls():
    wrong = [
        f"{where}: {app} imports {module}"
        for app, module, where in app_imports()
        if module.startswith("kapuas_kinerja.urls") or module.split(".")[1:2] == ["views"]
    ]
    assert wrong == []


def test_the_checks_see_imports_inside_functions_and_by_parent():
    source = "def f():\n    from reminders.tasks import x\n\nfrom skp import views\nimport tpp.views as v\n"
    assert {m for m, _line in imported_modules(source)} >= {"reminders.tasks", "skp.views", "tpp.views"}
    edges = [("opd", "skp.models", "a"), ("skp", "opd.models", "b"), ("tpp", "skp.rules", "c")]
    assert circles(edges) == [["opd", "skp"]]


def project_sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "var", "node_modules"} or path == Path(__file__):
            continue
        yield path


def dict_writes(source: str) -> list[int]:
    """Lines that write into an object's __dict__: `x.__dict__[k] = v`, `x.__dict__.update(...)` and the like."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            if isinstance(target, ast.Subscript | ast.Attribute) and _is_dict(target.value):
                lines.append(node.lineno)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"update", "setdefault", "pop", "clear", "__setitem__"}
            and _is_dict(node.func.value)
        ):
            lines.append(node.lineno)
        lines += [node.lineno for t in targets if isinstance(t, ast.Subscript) and _is_vars_call(t.value)]
    return sorted(lines)


def _is_dict(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "__dict__"


def _is_vars_call(node) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") == "vars"


@pytest.mark.parametrize("text", FORBIDDEN_STRINGS)
def test_no_project_code_holds(text):
    holding = [str(path.relative_to(ROOT)) for path in project_sources() if text in path.read_text()]
    assert holding == []


def test_no_project_code_writes_into_an_objects_dict():
    writing = [
        f"{path.relative_to(ROOT)}:{line}" for path in project_sources() for line in dict_writes(path.read_text())
    ]
    assert writing == []


def test_the_dict_check_sees_the_ways_to_write():
    source = "obj.__dict__['a'] = 1\nobj.__dict__.update(b=2)\nvars(obj)['c'] = 3\nobj.d = 4\n"
    assert dict_writes(source) == [1, 2, 3]


# Issue 16: no library is changed at runtime. What that looked like: a function's keyword defaults rewritten,
# Django's shared blank choice overwritten, a library's model given another __str__.
CHANGED_DEFAULTS = ("__kwdefaults__", "__defaults__")
SHARED_CONSTANTS = ("BLANK_CHOICE_DASH",)
LIST_WRITES = {"append", "extend", "insert", "clear", "remove", "pop", "__setitem__", "__delitem__"}


def project_packages() -> set[str]:
    return {path.name for path in ROOT.iterdir() if (path / "__init__.py").exists()} | {"tests"}


def _root_name(node) -> str:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _names(node) -> set[str]:
    """Every name and attribute an expression is made of: `a.b[c]` → {a, b}."""
    names = set()
    while isinstance(node, ast.Attribute | ast.Subscript):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.add(node.id)
    return names


def library_changes(source: str, ours: set[str]) -> list[int]:
    """Lines that change a library at runtime: that touch a function's defaults, write into one of Django's
    shared constants, or set a dunder (`__str__`, `__init__`…) on a name imported from another package."""
    tree = ast.parse(source)
    foreign = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] not in ours:
            foreign |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            foreign |= {
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if alias.name.split(".")[0] not in ours
            }
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in CHANGED_DEFAULTS:
            lines.append(node.lineno)
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = [node.target] if not isinstance(node, ast.Delete) else node.targets
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in LIST_WRITES:
            targets = [node.func.value] if _names(node.func.value) & set(SHARED_CONSTANTS) else []
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"setattr", "delattr"} and node.args:
            name = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) else ""
            if _root_name(node.args[0]) in foreign and str(name).startswith("__") and str(name).endswith("__"):
                lines.append(node.lineno)
        for target in targets:
            dunder = isinstance(target, ast.Attribute) and target.attr.startswith("__") and target.attr.endswith("__")
            if (dunder and _root_name(target.value) in foreign) or _names(target) & set(SHARED_CONSTANTS):
                lines.append(node.lineno)
    return sorted(set(lines))


def project_code():
    """The project's own Python, its tests aside (a test may stand a library in for a moment)."""
    for path in project_sources():
        if path.relative_to(ROOT).parts[0] != "tests":
            yield path


def test_no_project_code_changes_a_library_at_runtime():
    ours = project_packages()
    changing = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in project_code()
        for line in library_changes(path.read_text(), ours)
    ]
    assert changing == []


def test_the_library_check_sees_the_ways_to_change_one():
    source = (
        "from django.db.models import fields as model_fields\n"  # 1
        "from django.forms import ModelChoiceField\n"  # 2
        "from axes.models import AccessLog\n"  # 3
        "import axes.models\n"  # 4
        "from opd.models import Asn\n"  # 5
        "model_fields.BLANK_CHOICE_DASH[:] = [('', 'x')]\n"  # 6
        "ModelChoiceField.__init__.__kwdefaults__['empty_label'] = 'x'\n"  # 7
        "AccessLog.__str__ = lambda self: 'x'\n"  # 8
        "axes.models.AccessAttempt.__repr__ = repr\n"  # 9
        "setattr(AccessLog, '__str__', str)\n"  # 10
        "Asn.__str__ = lambda self: 'x'\n"  # 11: the project's own class
        "AccessLog.label = 'x'\n"  # 12: not a dunder
        "choices = [('', 'x'), *BLANK_CHOICE_DASH[1:]]\n"  # 13: read, not written
        "model_fields.BLANK_CHOICE_DASH.append(('', 'x'))\n"  # 14
    )
    assert library_changes(source, {"opd"}) == [6, 7, 8, 9, 10, 14]
