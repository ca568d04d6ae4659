"""Labels of the careers app's audit actions (added to core.audit_labels.ACTION_LABELS)."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "careers.title_add": _("Professional title recorded"),
    "careers.table_create": _("Career table version created"),
    "careers.expert_level_save": _("Skill-expert level saved"),
    "careers.bridge_submit": _("Bridge application submitted"),
    "careers.bridge_decide": _("Bridge application decided"),
}
