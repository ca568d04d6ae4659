"""A browser test (transactional) flushes every table when it ends, reference data included; a
database test that runs after it in the same process would find no regions. Load them back (the
loader is idempotent; one cheap query when they are present)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _reference_data(request: Any) -> None:
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names or "db" not in names:
        return
    request.getfixturevalue("db")
    from gongjiang.core.models import Region

    if not Region.objects.exists():
        from gongjiang.core.refdata import load_reference_data

        load_reference_data()


#: the video lesson's file in the ``course`` fixture (10,240 bytes)
VIDEO = bytes(range(256)) * 40


@pytest.fixture
def course(world: Any) -> Any:
    """A province course with a text lesson (whose script is sanitised away) and a video lesson."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongjiang.learning.courses import services as courses

    c = courses.course_create(
        actor=world.alice, organization=world.province_a, title="安全生产培训", hours=4
    )
    courses.lesson_add(
        actor=world.alice,
        course=c,
        title="第一课",
        kind="text",
        body="<p>安全第一</p><script>x</script>",
    )
    video = SimpleUploadedFile("clip.mp4", VIDEO, content_type="video/mp4")
    courses.lesson_add(actor=world.alice, course=c, title="操作视频", kind="video", file=video)
    return c
