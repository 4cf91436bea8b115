"""kaohe (考核) — environmental-protection target-responsibility assessment.

The import surface of the pure core::

    import kaohe
    scheme = kaohe.load_scheme("xx-city-2020")
    results = kaohe.score(scheme, inputs)           # polars DataFrame in, DataFrame out
    lines = kaohe.explain(scheme, inputs, "330110")  # every point gained or lost

Names are resolved lazily so that ``import kaohe`` stays cheap (the web app imports it at start-up).
"""

from __future__ import annotations

from typing import Any

__all__ = ["explain", "load_scheme", "score", "__version__"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in {"explain", "load_scheme", "score"}:
        from kaohe import core

        return getattr(core, name)
    raise AttributeError(f"module 'kaohe' has no attribute {name!r}")
