"""The state machine tables: every move is declared, every other move is refused clearly."""

import pytest

from bids.states import BID
from contracts.states import CONTRACT, MILESTONE
from marketplace.errors import InvalidTransition
from marketplace.fsm import StateMachine, move
from tasks.states import TASK


def test_a_forbidden_move_names_the_state_and_the_target():
    with pytest.raises(InvalidTransition) as excinfo:
        TASK.check("draft", "award")
    message = str(excinfo.value)
    assert "Draft" in message or "草稿" in message


@pytest.mark.parametrize("machine", [TASK, CONTRACT, MILESTONE, BID])
def test_every_declared_state_is_a_model_choice(machine):
    for transition in machine.transitions.values():
        assert transition.sources <= set(machine.labels)
        assert transition.target in machine.labels


def test_a_machine_with_an_unknown_state_does_not_load():
    with pytest.raises(ValueError, match="unknown states"):
        StateMachine("thing", {"a": "A"}, [move("go", "a", "b")])


def test_terminal_states_have_no_way_out():
    for state in ("completed", "cancelled", "expired"):
        assert TASK.allowed(state) == []
    assert MILESTONE.allowed("released") == []
    assert MILESTONE.allowed("refunded") == []
