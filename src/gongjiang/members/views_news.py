"""Pages of news and notices: the worker's feed and an article (counted as read); the desktop page
where a union publishes (now or at a set time) and reads its read counts."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongjiang.core import access
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


@login_required
def news_detail(request: HttpRequest, code: str) -> HttpResponse:
    require_use(request)
    article = news.article_get(actor=request.user, code=code)
    news.article_read(actor=request.user, article=article)
    return render(request, "members/news_detail.html", phone_context(request, article=article))


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
