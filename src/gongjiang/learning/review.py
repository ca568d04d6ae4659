"""What a candidate sees of a submitted attempt, and from when: the review options of an exam
session, as Moodle's quiz has them. Each part — marks, right or wrong per question, the correct
answers, the explanations — is shown never, immediately after the attempt, or after the session
closes (``ReviewWhen``).

Exams default to marks immediately and everything else after the session closes; a practice mock
exam (a drill) shows everything immediately. Whatever the options say, the correct answers and the
explanations are never shown while the candidate may still start another attempt of the session.
Pages and API both read the review through ``presenters.attempt_result``, so the rule lives here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.utils import timezone

from .models import Attempt, ReviewWhen, review_shows

DRILL_REVIEW = {
    "review_marks": ReviewWhen.AFTER_ATTEMPT,
    "review_correctness": ReviewWhen.AFTER_ATTEMPT,
    "review_answers": ReviewWhen.AFTER_ATTEMPT,
    "review_explanations": ReviewWhen.AFTER_ATTEMPT,
}


def may_start_another(attempt: Attempt, now: dt.datetime | None = None) -> bool:
    """The candidate may still start another attempt of the attempt's session."""
    session = attempt.session
    if not session.is_open(now or timezone.now()):
        return False
    used = Attempt.objects.filter(session=session, user_id=attempt.user_id).count()
    return used < session.attempts_allowed


@dataclass(frozen=True)
class Review:
    marks: bool
    correctness: bool
    answers: bool
    explanations: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


NOTHING = Review(marks=False, correctness=False, answers=False, explanations=False)


def attempt_review(attempt: Attempt, now: dt.datetime | None = None) -> Review:
    """The parts of the review the candidate may see now. Nothing while the attempt is open, and
    nothing graded before its result is released (every item marked)."""
    if attempt.status != Attempt.Status.COMPLETE:
        return NOTHING
    now = now or timezone.now()
    session = attempt.session
    another = may_start_another(attempt, now)
    return Review(
        marks=review_shows(session.review_marks, session, now),
        correctness=review_shows(session.review_correctness, session, now),
        answers=review_shows(session.review_answers, session, now) and not another,
        explanations=review_shows(session.review_explanations, session, now) and not another,
    )
