"""Audit action labels of worker surveys (added to core.audit_labels.ACTION_LABELS at start-up)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "survey.create": _("Survey created"),
    "survey.edit": _("Survey questionnaire edited"),
    "survey.publish": _("Survey questionnaire published"),
    "survey.publish.refused": _("Survey publication refused (own edit)"),
    "survey.distribute": _("Survey sent"),
    "survey.links": _("Survey anonymous links downloaded"),
    "survey.link_reissue": _("Survey anonymous link re-issued"),
    "survey.link_reissue_bulk": _("Survey anonymous links re-issued for a list of workers"),
    "survey.close": _("Survey closed"),
    "survey.answer": _("Survey answered"),
    "survey.setting": _("Survey threshold set"),
    "survey.export": _("Survey answers exported"),
}
