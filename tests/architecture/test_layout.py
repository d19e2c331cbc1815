"""Rules about where code lives (CONVENTIONS.md), checked over the source tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_APPS = [
    "config",
    "accounts",
    "casework",
    "referrals",
    "strategy",
    "notes",
    "workspace",
    "demo",
]
FIRST_PARTY = set(PRODUCT_APPS)
APPS = [
    "config",
    "accounts",
    "referrals",
    "strategy",
    "casework",
    "notes",
    "workspace",
    "demo",
    "returns",
]
PRODUCT_APPS = APPS
FIRST_PARTY = set(APPS)


def source_files() -> list[Path]:
    files = [path for app in APPS for path in (ROOT / app).rglob("*.py")]
    files += list((ROOT / "tests").rglob("*.py"))
    return files


def test_the_layout_of_design_md_is_in_place():
    for name in ["manage.py", "pyproject.toml", "config", "accounts", "referrals", "strategy",
                 "templates", "tests", "deploy"]:  # fmt: skip
        assert (ROOT / name).exists(), name


def test_there_is_no_utils_grab_bag():
    assert not [path for path in source_files() if path.stem in {"utils", "helpers", "misc"}]


def test_only_the_sharing_service_grants_object_permissions():
    pattern = re.compile(r"\b(assign_perm|remove_perm)\b")
    offenders = [
        path.relative_to(ROOT)
        for path in source_files()
        if path != ROOT / "accounts" / "sharing.py"
        and path.parent != ROOT / "tests" / "architecture"
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_noqa_and_type_ignore_says_why():
    # "# why" or "# type: ignore[code]  # why": a reason must follow the code.
    suppression = re.compile(r"#\s*(noqa|type:\s*ignore)\b(?P<rest>.*)$")
    unexplained = []
    for path in source_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = suppression.search(line)
            if match and "#" not in match.group("rest"):
                unexplained.append(f"{path.relative_to(ROOT)}:{number}")
    assert unexplained == []


def test_settings_read_the_environment_through_one_reader():
    offenders = [
        path.relative_to(ROOT)
        for path in source_files()
        if re.search(r"os\.(environ|getenv)", path.read_text(encoding="utf-8"))
        and path.parent != ROOT / "tests" / "browser"
        and path.name
        # Those that start Django in a process of their own, with an environment they build.
        not in {
            "manage.py",
            "wsgi.py",
            "asgi.py",
            "test_settings.py",
            "test_layout.py",
            "processes.py",
        }
    ]
    assert offenders == []


def test_no_view_or_form_sets_a_state_or_asks_about_permissions_itself():
    # States change only through services (transitions); rights are asked of casework.access.
    state_set = re.compile(r"\.state\s*=[^=]|state__in=|groups__permissions")
    # Every module whose path says it is a view or a form, wherever it lives (issue 14: the
    # `*_views.py` files were never checked).
    offenders = [
        path.relative_to(ROOT)
        for app in PRODUCT_APPS
        for path in (ROOT / app).rglob("*.py")
        if (
            "views" in str(path.relative_to(ROOT / app))
            or "forms" in str(path.relative_to(ROOT / app))
        )
        and "migrations" not in path.parts
        and state_set.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


WRITES = re.compile(
    r"\.save\(|\.delete\(\)|\.update\(\w+=|objects\.(create|get_or_create|update_or_create|"
    r"bulk_create|bulk_update)\("
)


def test_no_view_or_form_writes_a_model():
    # Issue 14: every write is a service's (local data, teams and the contact wizard's people
    # were saved in views); a view binds a form, calls one service and renders.
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in PRODUCT_APPS
        for path in (ROOT / app).rglob("*.py")
        if (
            "views" in str(path.relative_to(ROOT / app))
            or "forms" in str(path.relative_to(ROOT / app))
        )
        and "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WRITES.search(line)
    ]
    assert offenders == []


def test_the_write_pattern_finds_writes():
    writes = [
        "child.save()",
        "Team.objects.create(name=n)",
        "note.delete()",
        "Child.objects.filter(pk=1).update(state='x')",
        "Relationship.objects.get_or_create(",
    ]
    for line in writes:
        assert WRITES.search(line), line
    for line in ["self.fields['x'].widget.attrs.update({'a': 1})", "self.initial.update(values)"]:
        assert not WRITES.search(line), line


def function_local_imports(path: Path) -> list[tuple[int, str]]:
    """First-party imports inside a function: (line number, the line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import):
                names = [alias.name for alias in inner.names]
            elif isinstance(inner, ast.ImportFrom) and not inner.level:
                names = [inner.module or ""]
            else:
                continue
            if any(name.partition(".")[0] in FIRST_PARTY for name in names):
                found.append((inner.lineno, lines[inner.lineno - 1]))
    return found


def test_few_first_party_imports_hide_inside_functions_and_each_says_why():
    # Issue 14: at most 10, each with a comment giving its reason (a cycle is never one:
    # lint-imports sees function-local imports too, so a cycle would break its contracts).
    local = [
        (path.relative_to(ROOT), number, line)
        for app in PRODUCT_APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in function_local_imports(path)
    ]
    assert len(local) <= 10, local
    assert [entry for entry in local if "#" not in entry[2]] == []


def imported_apps(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever in the module the import is."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_no_product_code_imports_the_demo():
    # demo is a top app: it loads fictional data through the product, never the other way.
    offenders = [
        path.relative_to(ROOT)
        for app in (
            "config",
            "accounts",
            "casework",
            "referrals",
            "strategy",
            "notes",
            "workspace",
            "returns",
        )
        for path in (ROOT / app).rglob("*.py")
        if "demo" in imported_apps(path)
    ]
    assert offenders == []


def test_accounts_imports_no_case_app():
    case_apps = {"casework", "referrals", "strategy", "notes", "workspace", "demo"}
    offenders = [
        path.relative_to(ROOT)
        for path in (ROOT / "accounts").rglob("*.py")
        if imported_apps(path) & case_apps
    ]
    assert offenders == []


def test_every_transactional_test_restores_the_database_as_it_was():
    """A transactional test without serialized rollback flushes the database and lets the
    post-migrate signal make the content types again with new ids; the next test that restores
    a serialized database then fails on their unique names, depending on the order the workers
    run the tests in. So every transactional test rolls back serialized."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if "transaction=True" in line and "serialized_rollback=True" not in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []
