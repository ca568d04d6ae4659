"""Workers' congresses (职工代表大会): per-organisation rules, terms, delegations, delegates,
sessions, agenda, attendance, votes and resolutions.

Proposals and the direct channel live in models_proposals.py, open affairs in models_affairs.py;
both are imported at the bottom so Django finds every table of the app here.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongjiang.core.codes import new_code
from gongjiang.core.scoping import ScopedQuerySet

from .models_base import code_field


class CongressRules(models.Model):
    """The numbers of 《企业民主管理规定》(2012) as one organisation's settings (defaults = the
    rules' text); an organisation without a row uses the defaults (see rules.rules_for)."""

    organization = models.OneToOneField(
        "core.Organization",
        on_delete=models.CASCADE,
        related_name="congress_rules",
        verbose_name=_("organization"),
    )
    min_delegate_share = models.DecimalField(
        _("delegates at least (share of the workforce)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.050"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    min_delegates = models.PositiveSmallIntegerField(
        _("delegates at least (number)"), default=30, validators=[MaxValueValidator(10000)]
    )
    negotiable_above = models.PositiveSmallIntegerField(
        _("delegates above this number are agreed with the enterprise"),
        default=100,
        validators=[MaxValueValidator(10000)],
    )
    max_management_share = models.DecimalField(
        _("management and leaders at most (share of delegates)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.200"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    proportion_floor = models.DecimalField(
        _("women and dispatched delegates at least (share of their proportion)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.000"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_(
            "0 means at least one delegate when there are such workers; 1 means exactly in "
            "proportion to the workforce."
        ),
    )
    assembly_below = models.PositiveSmallIntegerField(
        _("an all-worker assembly may be held below this workforce"),
        default=100,
        validators=[MaxValueValidator(10000)],
    )
    quorum_numerator = models.PositiveSmallIntegerField(
        _("quorum numerator"), default=2, validators=[MinValueValidator(1)]
    )
    quorum_denominator = models.PositiveSmallIntegerField(
        _("quorum denominator"), default=3, validators=[MinValueValidator(1)]
    )
    cosigners_required = models.PositiveSmallIntegerField(
        _("co-signing delegates required"), default=2, validators=[MaxValueValidator(50)]
    )
    reply_days = models.PositiveSmallIntegerField(
        _("days to reply to a proposal"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("days before the reply deadline to remind the department"),
        default=7,
        validators=[MaxValueValidator(60)],
        help_text=_("0: no reminder before the deadline (overdue replies are still escalated)."),
    )

    class Meta:
        verbose_name = _("congress rules")
        verbose_name_plural = _("congress rules")

    def __str__(self) -> str:
        return str(self.organization)

    def clean(self) -> None:
        if self.quorum_numerator and self.quorum_denominator:
            if self.quorum_numerator > self.quorum_denominator:
                raise ValidationError(
                    {"quorum_numerator": [_("The quorum cannot exceed all delegates.")]}
                )

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.quorum_numerator, self.quorum_denominator)


class Term(models.Model):
    """One term (届) of an organisation's congress, 3 to 5 years."""

    class Kind(models.TextChoices):
        CONGRESS = "congress", _("workers' congress")
        ASSEMBLY = "assembly", _("all-worker assembly")

    class Status(models.TextChoices):
        FORMING = "forming", _("electing delegates")
        ACTIVE = "active", _("delegate list final")

    code = code_field()
    organization = models.ForeignKey(
        "core.Organization",
        on_delete=models.PROTECT,
        related_name="congress_terms",
        verbose_name=_("organization"),
    )
    number = models.PositiveSmallIntegerField(
        _("term number"), validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CONGRESS)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.FORMING
    )
    workforce_at_final = models.PositiveIntegerField(
        _("workforce when finalised"), null=True, blank=True
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "-number"]
        verbose_name = _("congress term")
        verbose_name_plural = _("congress terms")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="congress_term_unique")
        ]

    def __str__(self) -> str:
        return _("%(org)s, term %(n)s") % {"org": self.organization, "n": self.number}

    def clean(self) -> None:
        if self.starts_on and self.ends_on:
            years = (self.ends_on - self.starts_on).days / 365.25
            if not 2.99 <= years <= 5.01:
                raise ValidationError({"ends_on": [_("A term lasts from three to five years.")]})


class Delegation(models.Model):
    """A delegation (代表团/组) of a term, usually one per workshop."""

    code = code_field()
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="delegations", verbose_name=_("term")
    )
    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(
        "core.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("workshop"),
    )

    SCOPE_PATH = "term__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        constraints = [
            models.UniqueConstraint(fields=["term", "name"], name="congress_delegation_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Delegate(models.Model):
    """A delegate (职工代表) of a term, elected in a delegation, taken from the workforce registry."""

    class Category(models.TextChoices):
        WORKER = "worker", _("front-line worker")
        TECHNICAL = "technical", _("technical staff")
        MANAGEMENT = "management", _("middle management and above")
        LEADER = "leader", _("enterprise leader")
        OTHER = "other", _("other staff")

    MANAGEMENT = (Category.MANAGEMENT, Category.LEADER)

    code = code_field()
    term = models.ForeignKey(
        Term, on_delete=models.CASCADE, related_name="delegates", verbose_name=_("term")
    )
    delegation = models.ForeignKey(
        Delegation, on_delete=models.PROTECT, related_name="delegates", verbose_name=_("delegation")
    )
    worker = models.ForeignKey(
        "workforce.Worker",
        on_delete=models.PROTECT,
        related_name="congress_seats",
        verbose_name=_("worker"),
    )
    category = models.CharField(
        _("category"), max_length=12, choices=Category.choices, default=Category.WORKER
    )
    elected_on = models.DateField(_("elected on"))
    active = models.BooleanField(_("serving"), default=True)
    replaced_on = models.DateField(_("replaced on"), null=True, blank=True)
    replacement_reason = models.CharField(_("reason for replacement"), max_length=200, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )

    SCOPE_PATH = "term__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["delegation__name", "worker__name_pinyin", "id"]
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        constraints = [
            models.UniqueConstraint(
                fields=["term", "worker"],
                condition=models.Q(active=True),
                name="congress_delegate_one_seat",
            )
        ]

    def __str__(self) -> str:
        return self.worker.name

    @property
    def is_management(self) -> bool:
        return self.category in self.MANAGEMENT


class Session(models.Model):
    """A session (次) of a term's congress."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        OPEN = "open", _("in session")
        CLOSED = "closed", _("closed")

    code = code_field()
    term = models.ForeignKey(
        Term, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("term")
    )
    number = models.PositiveSmallIntegerField(
        _("session number"), validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    proposals_from = models.DateField(_("proposals from"), null=True, blank=True)
    proposals_until = models.DateField(_("proposals until"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True, max_length=20000)
    # the secret behind the sign-in QR code (shown to the hall, never in a list)
    checkin_token = models.CharField(max_length=32, default=new_code, editable=False)

    SCOPE_PATH = "term__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("congress session")
        verbose_name_plural = _("congress sessions")
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="congress_session_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def organization(self):  # noqa: ANN201 (audit rows need the organisation)
        return self.term.organization

    def clean(self) -> None:
        if self.proposals_from and self.proposals_until:
            if self.proposals_until < self.proposals_from:
                raise ValidationError(
                    {"proposals_until": [_("The window closes before it opens.")]}
                )


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        REGULATION = "regulation", _("regulation")
        COLLECTIVE_CONTRACT = "contract", _("collective contract")
        WAGE_PLAN = "wage_plan", _("wage plan")
        REPORT = "report", _("report")
        ELECTION = "election", _("election")
        OTHER = "other", _("other matter")

    code = code_field()
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("session")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    document = models.TextField(_("document text"), blank=True, max_length=50000)

    SCOPE_PATH = "session__term__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """A delegate signed in to a session (by the QR code on their phone, or by the clerk)."""

    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        CLERK = "clerk", _("by the clerk")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("delegate")
    )
    method = models.CharField(_("how"), max_length=6, choices=Method.choices)
    signed_at = models.DateTimeField(_("signed in at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    SCOPE_PATH = "session__term__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "delegate"], name="congress_attend_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.delegate_id}"


class Choice(models.TextChoices):
    FOR = "for", _("for")
    AGAINST = "against", _("against")
    ABSTAIN = "abstain", _("abstain")


class Vote(models.Model):
    """A vote on an agenda item. Open: each ballot names its delegate. Secret: the delegate's
    participation and the choice are stored apart, the choices only as counters (SecretTally),
    so nothing links a delegate to a choice — not even the order of rows."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("not yet open")
        OPEN = "open", _("voting")
        CLOSED = "closed", _("closed")

    code = code_field()
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="votes", verbose_name=_("session")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="votes",
        verbose_name=_("agenda item"),
    )
    title = models.CharField(_("motion"), max_length=200)
    secret = models.BooleanField(_("secret ballot"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # frozen when the vote closes (all delegates of the term, and those signed in)
    delegates_at_close = models.PositiveIntegerField(null=True, blank=True)
    present_at_close = models.PositiveIntegerField(null=True, blank=True)

    SCOPE_PATH = "session__term__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")

    def __str__(self) -> str:
        return self.title


class OpenBallot(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="open_ballots")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=8, choices=Choice.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "delegate"], name="congress_open_ballot_once")
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.delegate_id}"


class SecretParticipation(models.Model):
    """That a delegate has cast their secret ballot — never what they chose."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="participations")
    delegate = models.ForeignKey(Delegate, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "delegate"], name="congress_secret_once")
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.delegate_id}"


class SecretTally(models.Model):
    """The count of one choice of a secret vote (incremented in the transaction that records
    the participation)."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="tallies")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "choice"], name="congress_tally_unique")
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.choice}"


class Resolution(models.Model):
    """A resolution (决议) of a session, adopted by a passed vote."""

    code = code_field()
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="resolutions", verbose_name=_("session")
    )
    vote = models.OneToOneField(
        Vote,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolution",
        verbose_name=_("vote"),
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=50000)
    adopted_on = models.DateField(_("adopted on"))

    SCOPE_PATH = "session__term__organization__path"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-adopted_on", "-id"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self) -> str:
        return self.title


from .models_affairs import AffairsNotice, NoticeRead  # noqa: E402,F401
from .models_documents import AgendaDocument  # noqa: E402,F401
from .models_proposals import (  # noqa: E402,F401
    CoSignature,
    Department,
    Proposal,
    ProposalReply,
    Suggestion,
)
