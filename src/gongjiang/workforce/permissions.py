"""Permissions this app grants to roles (see gongjiang.core.access).

* admin, officer and trainer see the workers (and their history) inside their subtrees; a worker
  sees only their own record (``WorkerQuerySet.visible_to`` adds the record linked to the login).
* admin and officer create, edit, import, transfer workers and change skill levels;
  trainers may also add training records and certificates.
* the full citizen ID number needs ``core.view_full_citizen_id`` (admin, officer; core grants it).
"""

from gongjiang.core.access import grant

VIEWERS = ["admin", "officer", "trainer"]
EDITORS = ["admin", "officer"]

grant("workforce.view_worker", VIEWERS)
for _model in ("skilllevelchange", "certificate", "honour", "trainingrecord", "transfer"):
    grant(f"workforce.view_{_model}", VIEWERS)
grant("workforce.change_worker", EDITORS)  # create, edit, transfer, import
grant("workforce.approve_import", EDITORS)  # another officer's approval (roster/approval.py)
grant("workforce.change_skill_level", EDITORS)
grant("workforce.add_certificate", VIEWERS)
grant("workforce.add_training_record", VIEWERS)
grant("workforce.add_honour", EDITORS)
grant("workforce.export_worker", VIEWERS)
