"""Permissions this app grants to roles (see gongjiang.core.access).

* view plans, candidates and checklists: every staff role of the evaluation body's subtree;
* manage (create plans, enrol, enter theory/review scores, decide, issue, revoke): admin, officer;
* score the practical checklist as an examiner: judge, trainer (考评员);
* view certificates (and download their PDF): admin, officer, inspector — and the holder, always.
"""

from gongjiang.core.access import grant

STAFF = ["admin", "officer", "trainer", "judge", "inspector"]

grant("certification.view_evaluationplan", STAFF)
grant("certification.view_candidate", STAFF)
grant("certification.view_practicalitem", STAFF)
grant("certification.view_practicalscore", ["admin", "officer", "trainer", "judge"])
grant("certification.manage_evaluation", ["admin", "officer"])
grant("certification.score_practical", ["judge", "trainer"])
grant("certification.view_certificate", ["admin", "officer", "inspector"])
grant("certification.download_certificate", ["admin", "officer"])
