"""The state machine tables: every move is declared, every other move is refused clearly."""

import pytest
from django.utils import translation

from bids.models import Bid
from bids.states import BID
from contracts.models import Contract, Milestone
from contracts.states import CONTRACT, MILESTONE
from marketplace.errors import InvalidTransition
from marketplace.fsm import StateMachine, move
from tasks.models import Task
from tasks.states import TASK


def test_a_forbidden_move_names_the_state_and_the_target():
    with translation.override("en"), pytest.raises(InvalidTransition) as excinfo:
        TASK.check("draft", "award")
    assert str(excinfo.value) == "This task is “Draft” and cannot become “Awarded”."


def reachable(machine: StateMachine, start: str) -> set[str]:
    seen, frontier = {start}, [start]
    while frontier:
        state = frontier.pop()
        for name in machine.allowed(state):
            target = machine.transitions[name].target
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


@pytest.mark.parametrize(
    ("machine", "model"),
    [(TASK, Task), (CONTRACT, Contract), (MILESTONE, Milestone), (BID, Bid)],
    ids=["task", "contract", "milestone", "bid"],
)
def test_every_status_of_the_model_is_reachable_from_where_a_row_starts(machine, model):
    # The constructor already refuses a move to an undeclared state; this catches the other
    # half: a status added to the model (or a move removed) that no declared move leads to.
    start = model._meta.get_field("status").default
    assert set(machine.labels) == set(model.Status.values)
    assert reachable(machine, start) == set(model.Status.values)


def test_a_machine_with_an_unknown_state_does_not_load():
    with pytest.raises(ValueError, match="unknown states"):
        StateMachine("thing", {"a": "A"}, [move("go", "a", "b")])


def test_terminal_states_have_no_way_out():
    for state in ("completed", "cancelled", "expired"):
        assert TASK.allowed(state) == []
    assert MILESTONE.allowed("released") == []
    assert MILESTONE.allowed("refunded") == []
