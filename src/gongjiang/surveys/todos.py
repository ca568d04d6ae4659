"""Home-page to-dos of worker surveys: the surveys a worker has still to answer."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core.todos import Todo, register

from . import selectors


@register("surveys")
def survey_todos(user: Any) -> list[Todo]:
    count = selectors.surveys_to_answer(actor=user).count()
    if not count:
        return []
    return [
        Todo(_("Surveys to answer"), count, reverse("surveys:mine"), priority=20, icon="ui-checks")
    ]
