"""Permissions this app grants to roles (see gongjiang.core.access).

Managers (admin, officer, trainer) keep the question bank, papers and exam sessions of their
subtree; markers (trainer, judge) mark subjective answers blind; admin and officer reconcile
(the chief marker's decision) and regrade. Every role may practise and sit exams it is a candidate of.
"""

from gongjiang.core.access import ALL_ROLES, grant

MANAGERS = ["admin", "officer", "trainer"]
grant("learning.view_question", MANAGERS)
grant("learning.change_question", MANAGERS)
grant("learning.view_questionversion", MANAGERS)
grant("learning.view_paper", MANAGERS)
grant("learning.change_paper", MANAGERS)
grant("learning.view_examsession", MANAGERS)
grant("learning.change_examsession", MANAGERS)
grant("learning.view_attempt", MANAGERS)
grant("learning.view_attemptitem", MANAGERS + ["judge"])
grant("learning.mark", ["trainer", "judge", "admin", "officer"])
grant("learning.reconcile", ["admin", "officer", "trainer"])
grant("learning.regrade", ["admin", "officer"])
grant("learning.practise", list(ALL_ROLES))
grant("learning.view_practiceanswer", ["admin", "officer", "trainer"])
grant("learning.view_course", MANAGERS)
grant("learning.change_course", MANAGERS)
grant("learning.view_enrollment", MANAGERS)
