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
    # documents and photos of results; the technical exchange
    "innovation.result_file_add": _("File added to an innovation result"),
    "innovation.result_file_remove": _("File removed from an innovation result"),
    "innovation.exchange_ask": _("Question asked in the technical exchange"),
    "innovation.exchange_answer": _("Answer posted in the technical exchange"),
    "innovation.exchange_vote": _("Vote in the technical exchange"),
    "innovation.exchange_accept": _("Answer accepted in the technical exchange"),
    "innovation.exchange_report": _("Post reported in the technical exchange"),
    "innovation.exchange_hide": _("Post hidden in the technical exchange"),
    "innovation.exchange_unhide": _("Post shown again in the technical exchange"),
}
