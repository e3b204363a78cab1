"""The packages show the design, and dependencies point one way: cli → usecases → (git, site) → storage → rota."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "lunchlearn"
# Each part may import only the parts below it (and itself). rota is the domain: it does no I/O.
LAYERS = [
    {"errors", "progress"},
    {"rota"},
    {"storage"},
    {"git", "site"},  # side by side: neither imports the other
    {"usecases"},
    {"output"},
    {"cli"},
    {"__main__"},
]
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def _part(module: str) -> str:
    return module.split(".")[1]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lunchlearn"):
            if node.module == "lunchlearn":
                found |= {f"lunchlearn.{alias.name}" for alias in node.names if alias.name != "__version__"}
            else:
                found.add(node.module)
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path: Path) -> None:
    part = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    wrong = [
        module
        for module in _imports(path)
        if _part(module) != part
        and RANK[_part(module)] >= RANK[part]
    ]
    assert wrong == [], f"{part} must not import {wrong}"


def test_every_module_belongs_to_a_layer() -> None:
    assert {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in MODULES} <= set(RANK)
