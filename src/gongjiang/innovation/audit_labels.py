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
    "innovation.award_create": _("Innovation award round created"),
    "innovation.award_quota": _("Nomination quota set"),
    "innovation.nominate": _("Innovation result nominated"),
    "innovation.award_review": _("Nominations put to the panel"),
    "innovation.award_finalise": _("Innovation award round ranked"),
    "innovation.award_notice": _("Innovation awards put on public notice"),
    "innovation.award_publish": _("Innovation awards published"),
    "innovation.award_pay": _("Innovation award paid from the reward fund"),
    "innovation.revenue_scheme_create": _("Revenue-sharing scheme created"),
    "innovation.revenue_year_enter": _("Revenue-sharing year entered"),
    "innovation.revenue_year_certify": _("Revenue-sharing year certified"),
    "innovation.revenue_year_certify.refused": _("Certification of a revenue-sharing year refused"),
    "innovation.revenue_year_pay": _("Revenue shares paid from the fund"),
    "innovation.revenue_year_pay.refused": _("Payment of revenue shares refused"),
}
