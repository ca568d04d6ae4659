from gongjiang.learning.sanitize import plain_text, sanitize_html


def test_scripts_and_attributes_are_removed() -> None:
    dirty = '<p onclick="x()" style="color:red">机床<script>alert(1)</script><b>安全</b></p><img src="javascript:x">'
    assert sanitize_html(dirty) == "<p>机床<b>安全</b></p>"


def test_images_and_tables_kept() -> None:
    clean = sanitize_html(
        '<img src="/media/a.png" alt="图" onerror="x"><table><tr><td colspan="2">1</td></tr></table>'
    )
    assert (
        clean == '<img src="/media/a.png" alt="图"><table><tr><td colspan="2">1</td></tr></table>'
    )


def test_text_is_escaped_and_tags_closed() -> None:
    assert sanitize_html("a < b & <i>c") == "a &lt; b &amp; <i>c</i>"
    assert sanitize_html("<style>p{}</style><iframe src=x>hidden</iframe>ok") == "ok"
    assert plain_text("<p>甲</p><p>乙&amp;丙</p>") == "甲 乙&丙"
