"""Which part of the API may import which: `api/core` is the base the domains build on, and imports none of
them (a domain that `core` imported could not import `core` back without a cycle)."""

import ast
from pathlib import Path

API = Path(__file__).resolve().parent.parent / "api"


def imported_modules(source: str, package: str) -> set[str]:
    """Every module a module of `package` whose code is `source` imports, relative imports resolved, at any
    depth of its code (a function's own imports too)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                found.add(node.module)
    return found


def test_core_imports_no_domain():
    core = sorted((API / "core").rglob("*.py"))
    assert len(core) > 10  # the walk found core's modules
    domain_imports = {
        f"{file.relative_to(API.parent)}: {module}"
        for file in core
        for module in imported_modules(file.read_text(), ".".join(file.relative_to(API.parent).parts[:-1]))
        if (module == "api" or module.startswith("api.")) and not module.startswith("api.core")
    }
    assert domain_imports == set()


def test_the_walk_sees_relative_and_nested_imports():
    source = "from ..deps import Claims\nfrom . import one_hop\n\ndef later():\n    import api.presence.groups\n"
    assert imported_modules(source, "api.core.runtime") == {"api.core.deps", "api.core.runtime", "api.presence.groups"}


def test_nothing_reaches_into_app_state():
    """The process's runtime is reached through `runtime_of` (api/core/runtime), typed, never by name."""
    reaching = sorted(
        str(file.relative_to(API.parent)) for file in API.rglob("*.py") if "app.state" in file.read_text()
    )
    assert reaching == []
