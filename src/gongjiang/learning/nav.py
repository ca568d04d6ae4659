"""Navigation entries of the learning system (only what the user's roles allow)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjiang.core import access
from gongjiang.core.nav import NavItem


def items(user: Any) -> list[NavItem]:
    if not access.can(user, "learning.practise"):
        return []  # e.g. a ministry's liaison: no role that learns here
    children = [
        NavItem(_("Learning home"), reverse("learning:home"), "mortarboard"),
        NavItem(_("Practice"), reverse("learning:practice_home"), "lightning"),
        NavItem(_("My exams"), reverse("learning:exam_list"), "pencil-square"),
        NavItem(_("Courses"), reverse("learning:course_list"), "play-btn"),
    ]
    if access.can(user, "learning.mark"):
        children.append(NavItem(_("Marking"), reverse("learning:marking_queue"), "check2-square"))
    if access.can(user, "learning.view_question"):
        children.append(
            NavItem(_("Question bank"), reverse("learning:question_list"), "collection")
        )
        children.append(
            NavItem(_("Item statistics"), reverse("learning:bank_statistics"), "bar-chart")
        )
    if access.can(user, "learning.change_question"):
        children.append(NavItem(_("Calibration"), reverse("learning:calibration"), "sliders"))
    if access.can(user, "learning.view_paper"):
        children.append(NavItem(_("Papers"), reverse("learning:paper_list"), "file-earmark-text"))
    if access.can(user, "learning.view_examsession"):
        children.append(
            NavItem(_("Exam sessions"), reverse("learning:session_list"), "calendar-check")
        )
    return [NavItem(_("Learning"), "", "mortarboard", children)]
