"""The public verification pages (no login): what anyone holding the QR code or the number and
name may learn — the certificate number, the evaluation body, the masked holder name, occupation,
level, dates and status. Nothing else."""

from __future__ import annotations

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gongjiang.core.middleware import address_of
from gongjiang.core.public_address import public_url as core_public_url
from gongjiang.core.validators import mask_name

from . import selectors
from .bodies import body_name
from .forms import VerifyLookupForm

LOOKUP_LIMIT = 20  # lookups by number and name per client address per window
VIEW_LIMIT = 120  # token page views per client address per window
WINDOW = 600  # seconds


def public_url(request: HttpRequest, path: str) -> str:
    """Absolute URL for the QR code at the configured public address (settings.PUBLIC_BASE_URL,
    see core.public_address), not at the host the request came in on."""
    return core_public_url(path, request)


def _over_limit(request: HttpRequest, kind: str, limit: int) -> bool:
    key = f"certification:{kind}:{address_of(request) or 'unknown'}"
    cache.add(key, 0, WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW)
        count = 1
    return count > limit


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "certification/verify_limited.html", status=429)
    response["Retry-After"] = str(WINDOW)
    return response


@never_cache
def verify(request: HttpRequest, token: str) -> HttpResponse:
    if _over_limit(request, "view", VIEW_LIMIT):
        return _too_many(request)
    cert = selectors.certificate_by_token(token)
    if cert is None:
        raise Http404(_("No such certificate."))
    status = cert.status
    context = {
        "number": cert.number,
        "holder": mask_name(cert.holder_name),
        "body": body_name(cert.organization),
        "occupation": cert.occupation.name,
        "level": cert.level,
        "issue_date": cert.issue_date,
        "valid_until": cert.valid_until,
        "status": status,
        "status_label": cert.get_status_display(),
    }
    response = render(request, "certification/verify.html", context)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def verify_lookup(request: HttpRequest) -> HttpResponse:
    form = VerifyLookupForm(request.POST or None)
    not_found = False
    if request.method == "POST":
        if _over_limit(request, "lookup", LOOKUP_LIMIT):
            return _too_many(request)
        if form.is_valid():
            cert = selectors.certificate_lookup(
                number=form.cleaned_data["number"], name=form.cleaned_data["name"]
            )
            if cert is not None:
                return redirect("certification:verify", token=cert.token)
            not_found = True
    response = render(
        request, "certification/verify_lookup.html", {"form": form, "not_found": not_found}
    )
    response["X-Robots-Tag"] = "noindex"
    return response
