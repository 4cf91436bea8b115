"""A scheme uploaded on the web is read by the same bounded parser as `kaohe schemes validate` (issue 9 §2): the
457-byte alias bomb of the corpus is refused with its line, and no cycle is left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from kaohe.assessments import actions
from kaohe.assessments.models import Cycle
from kaohe.core.exceptions import UserInputError
from tests.world import World

CORPUS = Path(__file__).resolve().parent.parent / "bad_inputs" / "schemes_validate"


@pytest.mark.parametrize(
    ("case", "words"),
    [("alias_bomb.yaml", "once aliases are expanded"), ("duplicate_key.yaml", "duplicate key 'year'")],
)
def test_an_uploaded_scheme_within_no_bound_is_refused_with_its_line(world: World, case: str, words: str) -> None:
    cycles = Cycle.objects.count()
    with pytest.raises(UserInputError) as info:
        actions.do_open_cycle(
            name="2027年度考核",
            year=2027,
            scheme_id="",
            units=world.units.values(),
            acting_user=world.people["alice"],
            scheme_file=ContentFile((CORPUS / case).read_bytes(), name=case),
        )
    [problem] = info.value.problems
    assert words in problem.message and problem.line is not None
    assert Cycle.objects.count() == cycles
