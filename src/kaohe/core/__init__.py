"""The pure core of kaohe: the scheme language and the scoring engine. No Django, ever.

load_scheme(id_or_path) -> Scheme       built-in id (xx-city-2020 …) or a YAML file
score(scheme, inputs, history) -> DataFrame
explain(scheme, inputs, unit_id) -> list[Line]
"""

from kaohe.core.exceptions import InputTableError, KaoheError, Problem, SchemeError, UserInputError
from kaohe.core.inputs import check_inputs
from kaohe.core.reference import Line, score_reference
from kaohe.core.scheme import (
    InputDef,
    Node,
    Scheme,
    list_schemes,
    load_scheme,
    load_scheme_file,
    load_scheme_text,
)
from kaohe.core.scoring import FIXED_COLUMNS, explain, score

Explanation = Line

__all__ = [
    "FIXED_COLUMNS",
    "Explanation",
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
]
