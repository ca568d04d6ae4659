"""The public address setting: where QR codes and PDF links point."""

from __future__ import annotations

from gongjiang.core import checks
from gongjiang.core.demo_env import demo_address
from gongjiang.core.public_address import public_url


def test_setting_wins_over_request(rf, settings) -> None:  # noqa: ANN001
    settings.PUBLIC_BASE_URL = "https://gj.example.cn/"
    request = rf.get("/", HTTP_HOST="proxy.internal")
    assert public_url("/a/", request) == "https://gj.example.cn/a/"
    assert public_url("/a/") == "https://gj.example.cn/a/"


def test_unset_setting_is_a_deploy_warning(settings) -> None:  # noqa: ANN001
    settings.PUBLIC_BASE_URL = ""
    assert [w.id for w in checks.public_base_url_check(None)] == ["gongjiang.W003"]
    settings.PUBLIC_BASE_URL = "https://gj.example.cn"
    assert checks.public_base_url_check(None) == []


def test_demo_address_follows_host_and_port() -> None:
    assert demo_address([]) == "http://127.0.0.1:8000"
    assert demo_address(["--port", "8123"]) == "http://127.0.0.1:8123"
    assert demo_address(["--host=0.0.0.0", "--port=9000"]) == "http://127.0.0.1:9000"
    assert demo_address(["--host", "192.168.1.5"]) == "http://192.168.1.5:8000"
