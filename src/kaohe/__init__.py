"""kaohe (考核) — environmental-protection target-responsibility assessment.

The import surface of the pure core::

    import kaohe
    scheme = kaohe.load_scheme("xx-city-2020")
    results = kaohe.score(scheme, inputs)           # polars DataFrame in, DataFrame out
    lines = kaohe.explain(scheme, inputs, "330110")  # every point gained or lost

Names are resolved lazily so that ``import kaohe`` stays cheap (the web app imports it at start-up).
"""

import typing as _typing

__all__ = ["explain", "load_scheme", "score", "__version__"]
__version__ = "0.1.0"
_LAZY = frozenset({"explain", "load_scheme", "score"})

if _typing.TYPE_CHECKING:  # the lazy names, typed for mypy (a Scheme in, a DataFrame out)
    from kaohe.core import explain, load_scheme, score


def __getattr__(name: str) -> _typing.Any:
    if name in _LAZY:
        from kaohe import core

        return getattr(core, name)
    raise AttributeError(f"module 'kaohe' has no attribute {name!r}")


def __dir__() -> list[str]:
    # the lazy names are listed although not loaded yet; no helper of this file is public
    return sorted({*globals(), *_LAZY})
