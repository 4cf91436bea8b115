"""The public import surface of ``kaohe`` and ``kaohe.core`` (issue 9 §3).

A change to what a user can import from either must change this file: a name added, removed or renamed, or a
helper imported into the package namespace without being meant for users (it would be importable all the same)."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

SURFACE: dict[str, list[str]] = {
    "kaohe": ["__version__", "explain", "load_scheme", "score"],
    "kaohe.core": [
        "Explanation",
        "FIXED_COLUMNS",
        "InputDef",
        "InputTableError",
        "KaoheError",
        "Line",
        "Node",
        "Problem",
        "Scheme",
        "SchemeError",
        "UserInputError",
        "check_inputs",
        "explain",
        "list_schemes",
        "load_scheme",
        "load_scheme_file",
        "load_scheme_text",
        "score",
        "score_reference",
    ],
}


def public_names(module: ModuleType) -> list[str]:
    """What ``dir()`` (and so tab completion and ``from m import name``) offers, submodules aside: a submodule
    becomes an attribute whenever anything imports it, so it is not part of the surface."""
    return sorted(n for n in dir(module) if not n.startswith("_") and not isinstance(getattr(module, n), ModuleType))


@pytest.mark.parametrize("name", sorted(SURFACE))
def test_all_lists_exactly_the_surface(name: str) -> None:
    assert sorted(importlib.import_module(name).__all__) == SURFACE[name]


@pytest.mark.parametrize("name", sorted(SURFACE))
def test_nothing_else_public_is_importable(name: str) -> None:
    # before: `from kaohe import Any` and `kaohe.annotations` worked, and dir(kaohe) did not list score & co.
    expected = [n for n in SURFACE[name] if not n.startswith("_")]
    assert public_names(importlib.import_module(name)) == expected


@pytest.mark.parametrize("name", sorted(SURFACE))
def test_star_import_gives_the_surface(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    assert sorted(n for n in namespace if n != "__builtins__") == SURFACE[name]


def test_the_top_level_names_are_the_cores() -> None:
    import kaohe
    import kaohe.core

    assert (kaohe.score, kaohe.explain, kaohe.load_scheme) == (
        kaohe.core.score,
        kaohe.core.explain,
        kaohe.core.load_scheme,
    )
    assert kaohe.core.Explanation is kaohe.core.Line
