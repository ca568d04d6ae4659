"""Security headers on every response: CSP without inline script, Permissions-Policy, Referrer-Policy;
HSTS preload only when asked for."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.test import Client

from tests.test_settings import _env, _python


def test_pages_and_api_send_the_policies(db: Any) -> None:
    client = Client()
    for url in ("/login/", "/api/v1/me", "/healthz"):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self';" in csp
        assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "camera=()" in response["Permissions-Policy"]
        assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_inline_script_or_handler() -> None:
    import re

    root = Path(__file__).resolve().parents[2] / "src" / "gongjiang"
    offenders = []
    for template in root.glob("**/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            offenders.append(f"{template.relative_to(root)}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{template.relative_to(root)}: {match.group(0)}")
    assert not offenders, "\n".join(offenders)


def test_hsts_preload_is_opt_in(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD)"
    )
    base = {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DEBUG": "0",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "GONGJIANG_DATA_DIR": str(tmp_path),
    }
    result = _python(code, _env(**base), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "False"]
    result = _python(code, _env(SECURE_HSTS_PRELOAD="1", **base), tmp_path)
    assert result.stdout.split() == ["31536000", "True"]
