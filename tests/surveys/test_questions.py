from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gongjiang.surveys.questions import clean_answers, clean_questions, counted

from .helpers import QUESTIONS, answers


def test_every_type_validates() -> None:
    qs = clean_questions(QUESTIONS)
    assert [q["type"] for q in qs] == ["single", "multiple", "scale", "matrix", "ranking", "open"]
    assert qs[5]["show_if"] == {"question": "q1", "in": ["b"]}


@pytest.mark.parametrize(
    "bad",
    [
        [{"key": "Q1", "type": "single", "text": "x", "options": []}],  # key
        [{"key": "q1", "type": "poll", "text": "x"}],  # type
        [{"key": "q1", "type": "single", "text": "x", "options": [{"key": "a", "text": "A"}]}],
        [{"key": "q1", "type": "open", "text": ""}],
        [{"key": "q1", "type": "open", "text": "x"}, {"key": "q1", "type": "open", "text": "y"}],
        # skip logic on a later, missing or open question, or on a choice that does not exist
        [{"key": "q1", "type": "open", "text": "x", "show_if": {"question": "q2", "in": ["a"]}}],
        [
            {"key": "q1", "type": "open", "text": "x"},
            {"key": "q2", "type": "open", "text": "y", "show_if": {"question": "q1", "in": ["a"]}},
        ],
        [
            {"key": "q1", "type": "scale", "text": "x"},
            {"key": "q2", "type": "open", "text": "y", "show_if": {"question": "q1", "in": ["6"]}},
        ],
    ],
)
def test_malformed_questionnaires_are_refused(bad: list) -> None:
    with pytest.raises(ValidationError):
        clean_questions(bad)


def test_skip_logic_drops_hidden_answers_and_requires_shown_ones() -> None:
    qs = clean_questions(QUESTIONS)
    happy = {**answers(1), "q6": "should be dropped"}
    assert "q6" not in clean_answers(qs, happy)
    unhappy = answers(3)
    assert clean_answers(qs, unhappy)["q6"] == "加班太多 3"
    with pytest.raises(ValidationError) as err:
        clean_answers(qs, {"q2": ["wage"]})
    assert "q1" in err.value.message_dict


@pytest.mark.parametrize(
    "patch",
    [
        {"q1": "z"},
        {"q2": ["wage", "nope"]},
        {"q3": "6"},
        {"q4": {"r1": "0"}},
        {"q4": {"r9": "1"}},
        {"q5": ["x"]},
        {"q5": ["x", "x"]},
        {"q9": "a"},
        {"q6": "长" * 2001, "q1": "b"},
    ],
)
def test_bad_answers_are_refused(patch: dict) -> None:
    with pytest.raises(ValidationError):
        clean_answers(clean_questions(QUESTIONS), {**answers(1), **patch})


def test_counters_of_one_response() -> None:
    qs = clean_questions(QUESTIONS)
    got = counted(qs, clean_answers(qs, answers(3)))
    assert ("_n", "") in got
    assert ("q1", "b") in got and ("q2", "wage") in got and ("q2", "safety") in got
    assert ("q4", "r1:4") in got and ("q5", "x:1") in got and ("q5", "y:2") in got
    assert ("q6", "answered") in got  # the text itself is never a counter
