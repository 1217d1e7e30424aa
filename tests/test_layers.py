"""The layers docs/architecture.md describes, read from the source: which package may import which, and Whoosh's
private parts reached from one adapter only (indexer/postings.py, with its fixes in indexer/whoosh_fixes.py)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "indexer", "webapp", "confarchive")
MAY_NOT_IMPORT = {  # a lower layer never reaches up
    "archive": ("indexer", "webapp", "confarchive", "flask", "whoosh"),
    "indexer": ("webapp", "confarchive", "flask"),
    "webapp": ("confarchive",),
}
WHOOSH_ADAPTER = {"indexer/postings.py", "indexer/whoosh_fixes.py"}
# Private attributes read on something other than self or cls outside the adapter: each is the project's own
# (a class reading its twin's state) or a library's documented escape hatch; none is Whoosh's.
OWN_PRIVATE = {
    ("archive/corpus.py", "previous._ordered"), ("archive/corpus.py", "previous._by_session"),
    ("archive/corpus.py", "previous._by_speaker"), ("archive/corpus.py", "previous._listed"),
    ("archive/folder_watch.py", "_watch._pid"), ("archive/styles.py", "root._confarchive_macros"),
    ("indexer/facets.py", "table._by_document"), ("indexer/facets.py", "table._all_rows"),
    ("indexer/facets.py", "table._extend_facet"), ("indexer/parallel.py", "os._exit"),
    ("indexer/retrieval.py", "Evaluator._fallback"), ("indexer/written_forms.py", "known._terms"),
    ("indexer/written_forms.py", "known._words"),
    ("webapp/curation/common.py", "current_app._get_current_object"),
}


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _imported(tree: ast.AST) -> list[str]:
    """Every module the source imports, at the top or inside functions (lazy imports count)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_no_layer_imports_a_layer_above_it():
    wrong = [(name, module) for name, tree in _modules() for module in _imported(tree)
             for banned in MAY_NOT_IMPORT.get(name.split("/")[0], ())
             if module == banned or module.startswith(banned + ".")]
    assert wrong == []


def test_the_web_app_and_the_command_line_use_the_indexer_through_its_package_alone():
    """indexer/__init__.py is their one way in: a module they reach past it is a dependency nobody declared."""
    import indexer

    wrong = [(name, module) for name, tree in _modules() if name.split("/")[0] in ("webapp", "confarchive")
             for module in _imported(tree) if module.startswith("indexer.")]
    assert wrong == []
    used = {alias.name for name, tree in _modules() if name.split("/")[0] in ("webapp", "confarchive")
            for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module == "indexer"
            for alias in node.names}
    assert used <= set(indexer.__all__), used - set(indexer.__all__)
    assert set(indexer.__all__) - used <= {"BuildReport"}, "the package offers names nobody uses"


def _private_accesses(name: str, tree: ast.AST) -> set[tuple[str, str]]:
    """Private names imported from Whoosh, and private attributes read on anything but self or cls."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
            private = [a.name for a in node.names if a.name.startswith("_")] + (
                [node.module] if any(part.startswith("_") for part in node.module.split(".")) else [])
            found.update((name, f"from {node.module} import {p}") for p in private)
        elif (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
              and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
            found.add((name, ast.unparse(node)))
    return found


def test_whooshs_private_parts_are_reached_from_the_adapter_alone():
    found = set().union(*(_private_accesses(name, tree) for name, tree in _modules() if name not in WHOOSH_ADAPTER))
    assert found - OWN_PRIVATE == set(), "a private attribute outside the Whoosh adapter (indexer/postings.py)"
    assert OWN_PRIVATE - found == set(), "an allowed private access is gone: drop it from OWN_PRIVATE"


def test_the_check_finds_the_adapters_own_private_calls():
    """So the test above cannot pass by finding nothing anywhere."""
    adapter = {name: tree for name, tree in _modules() if name in WHOOSH_ADAPTER}
    assert set(adapter) == WHOOSH_ADAPTER
    postings = {access for _, access in _private_accesses("indexer/postings.py", adapter["indexer/postings.py"])}
    assert "from whoosh.system import _INT_SIZE" in postings and len(postings) > 10
