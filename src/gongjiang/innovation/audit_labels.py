"""Words for the innovation app's audit actions (added to core.audit_labels.ACTION_LABELS)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "innovation.result_create": _("Innovation result entered"),
    "innovation.result_submit": _("Innovation result submitted"),
    "innovation.result_review": _("Innovation result reviewed"),
    "innovation.result_review.refused": _("Review of an innovation result refused"),
    "innovation.result_implement": _("Innovation result implemented"),
    "innovation.result_certify": _("Effect of an innovation result certified"),
    "innovation.result_certify.refused": _("Certification of an innovation result refused"),
}
