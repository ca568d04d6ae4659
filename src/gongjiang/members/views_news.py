"""Pages of news and notices: the worker's feed and an article (counted as read) with its images;
the desktop page where a union publishes (now or at a set time) and reads its read counts; an
article's images, added and removed by its union's editors on the article's page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongjiang.core import access
from gongjiang.core.errors import ApplicationError
from gongjiang.core.forms import BootstrapForm
from gongjiang.core.models import Organization
from gongjiang.core.views import form_errors_from, page

from . import news
from .models import Article
from .views_home import phone_context, require_use


class ArticleForm(BootstrapForm, forms.ModelForm):
    class Meta:
        model = Article
        fields = ["kind", "title", "body", "publish_at", "is_public"]
        widgets = {
            "publish_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "body": forms.Textarea(attrs={"rows": 8}),
        }


@login_required
def news_list(request: HttpRequest) -> HttpResponse:
    require_use(request)
    items = page(request, news.feed(actor=request.user), 20)
    return render(
        request,
        "members/news_list.html",
        phone_context(request, items=items, publishes=access.can(request.user, news.PUBLISH)),
    )


def _article(request: HttpRequest, code: str) -> Article | None:
    """The article for its page and its images: a public one for anyone, signed in or not; any
    other for those who may read it (404). None: someone not signed in asked for an article that
    is not public — they sign in first."""
    if request.user.is_authenticated:
        require_use(request)
    try:
        return news.article_get(actor=request.user, code=code[:20])
    except Http404:
        if request.user.is_authenticated:
            raise
        return None


def news_detail(request: HttpRequest, code: str) -> HttpResponse:
    article = _article(request, code)
    if article is None:
        return redirect_to_login(request.get_full_path())
    news.article_read(actor=request.user, article=article)
    return render(
        request,
        "members/news_detail.html",
        phone_context(
            request,
            article=article,
            images=news.images_of(article=article),
            edits=access.can(request.user, news.PUBLISH, article.organization),
            max_mb=news.max_image_bytes() // (1024 * 1024),
        ),
    )


def news_image(request: HttpRequest, code: str, image: str) -> HttpResponse:
    """An image's bytes, for exactly those who may read the article (404 otherwise)."""
    article = _article(request, code)
    if article is None:
        return redirect_to_login(request.get_full_path())
    item = news.article_image_get(actor=request.user, article=article, code=image)
    response = FileResponse(item.image.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def news_image_add(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    article = news.article_get(actor=request.user, code=code[:20])
    try:
        news.article_image_add(
            actor=request.user,
            article=article,
            file=request.FILES.get("image"),
            caption=request.POST.get("caption", "")[:201],
        )
        messages.success(request, _("Image added."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("members:news_detail", code=article.code)


@login_required
@require_POST
def news_image_remove(request: HttpRequest, code: str, image: str) -> HttpResponse:
    require_use(request)
    article = news.article_get(actor=request.user, code=code[:20])
    item = news.article_image_get(actor=request.user, article=article, code=image)
    news.article_image_remove(actor=request.user, image=item)
    messages.success(request, _("Image removed."))
    return redirect("members:news_detail", code=code[:20])


@login_required
def news_manage(request: HttpRequest) -> HttpResponse:
    if not access.can(request.user, news.PUBLISH):
        raise PermissionDenied
    form = ArticleForm()
    if request.method == "POST":
        form = ArticleForm(request.POST)
        org = access.get_visible_or_404(
            Organization.objects.all(),
            request.user,
            news.PUBLISH,
            code=request.POST.get("organization", "")[:20],
        )
        if form.is_valid():
            try:
                news.article_publish(actor=request.user, organization=org, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("Published."))
                return redirect("members:news_manage")
    orgs = (
        Organization.objects.visible_to(request.user, news.PUBLISH)
        .filter(is_active=True)
        .exclude(kind="team")
        .order_by("path")[:500]
    )
    return render(
        request,
        "members/news_manage.html",
        {
            "form": form,
            "orgs": orgs,
            "items": page(request, news.articles_managed(actor=request.user), 50),
        },
    )
