"""The public verification page, the lookup form, the PDF and its QR URL."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.urls import resolve, reverse

from gongjiang.certification import issuing, pdf, public
from gongjiang.certification.models import Certificate
from gongjiang.core.validators import mask_name
from gongjiang.workforce.personal import decrypt
from tests.access_helpers import check_access
from tests.download_helpers import download_name

from .factories import ROOT, issued_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():  # noqa: ANN202
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张小三", "张*三"),
        ("欧阳小明", "欧**明"),
        ("王", "*"),
        ("", ""),
        (" 李四 ", "李*"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_verification_page_shows_only_public_facts(client, world) -> None:  # noqa: ANN001
    cert = issued_certificate(world.enterprise_a, user=world.worker_a)
    worker = cert.worker
    response = client.get(cert.verify_path())
    assert response.status_code == 200
    html = response.content.decode()
    assert "张*三" in html and "焊工" in html and "高级工" in html
    assert 'data-status="valid"' in html and cert.issue_date.strftime("%Y-%m-%d") in html
    citizen_id = decrypt(worker.citizen_id_encrypted)
    for private in (
        "张小三",
        citizen_id,
        worker.citizen_id_masked,
        "13912345678",
        worker.phone_masked,
        worker.code,
        cert.code,
    ):
        assert private not in html, private
    assert response["X-Robots-Tag"] == "noindex"


def test_verification_page_shows_number_and_evaluation_body(client, world) -> None:  # noqa: ANN001
    cert = issued_certificate(world.enterprise_a)
    html = client.get(cert.verify_path()).content.decode()
    number = re.search(r'id="verify-number">([^<]*)<', html)
    body = re.search(r'id="verify-body">([^<]*)<', html)
    assert number and number.group(1) == cert.number
    # the body of an employer evaluation is the enterprise (its legal name), never its union
    assert body and body.group(1) == "南京测试装备有限公司" == cert.body_name


def test_revoked_and_expired_status(client, world) -> None:  # noqa: ANN001
    cert = issued_certificate(world.enterprise_a)
    issuing.certificate_revoke(actor=ROOT, certificate=cert, reason="撤销")
    assert 'data-status="revoked"' in client.get(cert.verify_path()).content.decode()
    other = issued_certificate(world.enterprise_a, name="李四")
    Certificate.objects.filter(pk=other.pk).update(valid_until=dt.date(2020, 1, 1))
    assert 'data-status="expired"' in client.get(other.verify_path()).content.decode()
    assert client.get(reverse("certification:verify", args=["no-such-token"])).status_code == 404


def test_lookup_by_number_and_name(client, world) -> None:  # noqa: ANN001
    cert = issued_certificate(world.enterprise_a)
    url = reverse("certification:verify_lookup")
    assert client.get(url).status_code == 200
    response = client.post(url, {"number": " " + cert.number.lower() + " ", "name": "张小三"})
    assert response.status_code == 302 and response["Location"] == cert.verify_path()
    wrong_name = client.post(url, {"number": cert.number, "name": "张小四"})
    unknown = client.post(url, {"number": "Y099932000001263000001", "name": "张小三"})
    for response in (wrong_name, unknown):
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="lookup-not-found"' in html and cert.token not in html and "张*三" not in html


def test_lookup_is_rate_limited(client, world) -> None:  # noqa: ANN001
    url = reverse("certification:verify_lookup")
    for _ in range(public.LOOKUP_LIMIT):
        assert (
            client.post(url, {"number": "Y099932000001263000001", "name": "某某"}).status_code
            == 200
        )
    response = client.post(url, {"number": "Y099932000001263000001", "name": "某某"})
    assert response.status_code == 429 and response["Retry-After"]


def test_pdf_download_access_and_content(client, world) -> None:  # noqa: ANN001
    cert = issued_certificate(world.enterprise_a, user=world.worker_a)
    url = reverse("certification:certificate_pdf", args=[cert.code])
    # managers in scope: yes; out of scope: 404; anonymous: login
    check_access(client, url=url, in_scope=world.alice, out_of_scope=world.bob)
    # the holder: yes; another worker of the same employer: 404
    response = check_access(client, url=url, in_scope=world.worker_a, out_of_scope=world.nobody)
    data = response.content
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert cert.number.encode() in data
    assert response["Content-Type"] == "application/pdf"
    assert download_name(response) == f"证书-{cert.number}.pdf"
    # the QR URL the PDF embeds opens the public verification page, which says "valid"
    match = re.search(rb"http://testserver(/certification/verify/[A-Za-z0-9_\-]+/)", data)
    assert match, "verification URL not found in the PDF"
    path = match.group(1).decode()
    assert path == cert.verify_path()
    assert resolve(path).func is public.verify
    client.logout()
    assert 'data-status="valid"' in client.get(path).content.decode()


def test_qr_code_encodes_the_verification_url(world, monkeypatch) -> None:  # noqa: ANN001
    cert = issued_certificate(world.enterprise_a)
    seen: list[str] = []
    real = pdf.segno.make

    def spy(data, **kwargs):  # noqa: ANN001, ANN202
        seen.append(data)
        return real(data, **kwargs)

    monkeypatch.setattr(pdf.segno, "make", spy)
    url = "https://gj.example.cn" + cert.verify_path()
    pdf.certificate_pdf(cert, url)
    assert seen == [url]
    assert urlparse(seen[0]).path == cert.verify_path()


def test_public_url_setting(rf, settings) -> None:  # noqa: ANN001
    """The QR address is the configured public address, whatever host the request came in on."""
    request = rf.get("/", HTTP_HOST="intranet-gateway.local")
    settings.PUBLIC_BASE_URL = "https://gj.example.cn"
    assert (
        public.public_url(request, "/certification/verify/x/")
        == "https://gj.example.cn/certification/verify/x/"
    )
    settings.PUBLIC_BASE_URL = ""  # not configured: the request's address stands in
    assert (
        public.public_url(request, "/certification/verify/x/")
        == "http://intranet-gateway.local/certification/verify/x/"
    )


def test_pdf_qr_uses_public_address_not_request_host(client, world, settings) -> None:  # noqa: ANN001
    settings.PUBLIC_BASE_URL = "https://zhengshu.example.cn/"
    cert = issued_certificate(world.enterprise_a, user=world.worker_a)
    client.force_login(world.alice)
    url = reverse("certification:certificate_pdf", args=[cert.code])
    data = client.get(url, HTTP_HOST="10.0.0.7:8000").content
    assert f"https://zhengshu.example.cn{cert.verify_path()}".encode() in data
    assert b"10.0.0.7" not in data
