"""worker_list search/filters, scope (alice never sees bob's workers), keyset paging, capped count."""

from __future__ import annotations

from typing import Any

from gongjiang.workforce import selectors, services
from gongjiang.workforce.selectors import WorkerFilters, worker_list, worker_page

from .helpers import make_worker, unique_id


def _names(qs: Any) -> list[str]:
    return [w.name for w in qs]


def test_search_and_filters(world: Any) -> None:
    zhang = make_worker(
        world.enterprise_a, 1, name="张三", skill_level="SENIOR", occupation="6-18-02-04"
    )
    zeng = make_worker(world.enterprise_a, 2, name="曾小明")
    make_worker(world.enterprise_a, 3, name="李四", status="left")
    bobs = make_worker(world.enterprise_b, 4, name="张四")
    services.honour_add(
        actor=world.root, worker=zeng, title="全国技术能手", level="national", year=2020
    )
    alice = world.alice

    def find(**kw: Any) -> list[str]:
        return _names(worker_list(alice, WorkerFilters(**kw)))

    assert find() == ["李四", "曾小明", "张三"]  # pinyin order: lisi, zengxiaoming, zhangsan
    assert find(q="张") == ["张三"]  # bob's 张四 is out of scope
    assert find(q="zhangsan") == ["张三"] and find(q="ZS") == ["张三"]
    assert find(q="zeng") == ["曾小明"] and find(q="zxm") == ["曾小明"]  # surname reading
    assert find(q=unique_id(1)[-4:]) == ["张三"]
    assert find(q=unique_id(1)) == ["张三"] and find(q=unique_id(4)) == []
    assert find(q="110105197001010000") == []
    assert find(level="SENIOR") == ["张三"] and find(level="none") == ["李四", "曾小明"]
    assert find(occupation="6-18") == ["张三"]
    assert find(status="left") == ["李四"]
    assert find(honour="全国技术能手") == ["曾小明"] and find(honour="any") == ["曾小明"]
    assert find(employer=world.enterprise_a.code) == ["李四", "曾小明", "张三"]
    assert find(employer=world.enterprise_b.code) == []
    assert find(region="320100") == ["李四", "曾小明", "张三"] and find(region="330000") == []
    assert _names(worker_list(world.bob, WorkerFilters(q="张"))) == ["张四"]
    assert _names(worker_list(world.nobody)) == []
    assert zhang in worker_list(world.root) and bobs in worker_list(world.root)


def test_worker_sees_only_own_record(world: Any) -> None:
    own = make_worker(world.enterprise_a, 1, name="张三", user=world.worker_a)
    make_worker(world.enterprise_a, 2, name="李四")
    assert list(worker_list(world.worker_a)) == [own]


def test_keyset_paging_and_capped_count(world: Any, django_assert_max_num_queries: Any) -> None:
    for i in range(7):
        make_worker(world.enterprise_a, 10 + i, name="王" + "一二三四五六七"[i])
    qs = worker_list(world.alice)
    seen: list[str] = []
    cursor = None
    while True:
        with django_assert_max_num_queries(4):
            page = worker_page(qs, cursor=cursor, size=3)
        seen += [w.name for w in page.items]
        assert page.count == 7 and not page.count_capped
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [w.name for w in qs] and len(seen) == 7
    assert selectors.count_capped(qs, cap=5) == (5, True)
    assert worker_page(qs, cursor="garbage!!", size=2).items[0].name == seen[0]


# ------------------------------------------------------------------- pinyin and initials search
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

KEY_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


@given(st.text(KEY_CHARS, min_size=1, max_size=6), st.text(KEY_CHARS, max_size=8))
def test_prefix_bounds_equal_startswith(prefix: str, value: str) -> None:
    low, high = selectors.prefix_bounds(prefix)
    in_range = low <= value and (high is None or value < high)
    assert in_range == value.startswith(prefix)


def test_prefix_bounds_examples() -> None:
    assert selectors.prefix_bounds("zhang") == ("zhang", "zhanh")
    assert selectors.prefix_bounds("az") == ("az", "b")
    assert selectors.prefix_bounds("zz") == ("zz", None)
    assert selectors.prefix_bounds("a9") == ("a9", "aa")


def test_letters_search_pages_through_both_readings(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    """ "zh" matches full pinyin (张…, 赵…) first, in list order, then initials only (曾辉 zh, 周华 zh),
    by initials then list order; page by page, each worker once."""
    names = [
        "张三",
        "张华",
        "赵四",
        "周华",
        "郑和",
        "朱红",
        "李四",
        "曾辉",
        "钟浩",
        "王五",
        "曾华伟",
    ]
    for i, name in enumerate(names):
        make_worker(world.enterprise_a, 200 + i, name=name)
    qs = worker_list(world.alice, WorkerFilters(q="zh"))
    everyone = list(worker_list(world.alice))
    by_pinyin = [w.name for w in everyone if w.name_pinyin.startswith("zh")]
    by_initials = [
        w.name
        for w in sorted(everyone, key=lambda w: (w.name_initials, w.name_pinyin, w.pk))
        if w.name_initials.startswith("zh") and not w.name_pinyin.startswith("zh")
    ]
    assert set(by_pinyin) == {"张三", "张华", "赵四", "周华", "郑和", "朱红", "钟浩"}
    assert by_initials == ["曾辉", "曾华伟"]  # zh before zhw
    assert sorted(_names(qs)) == sorted(by_pinyin + by_initials)  # count and export: the OR
    for size in (1, 2, 3, 50):
        seen: list[str] = []
        cursor = None
        while True:
            with django_assert_max_num_queries(5):
                page = worker_page(qs, cursor=cursor, size=size)
            seen += _names(page.items)
            assert page.count == len(by_pinyin) + len(by_initials)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == by_pinyin + by_initials, size


def test_initials_only_search_pages_in_initials_order(world: Any) -> None:
    for i, name in enumerate(["王建国", "王军", "吴佳", "王杰", "李四"]):
        make_worker(world.enterprise_a, 400 + i, name=name)
    qs = worker_list(world.alice, WorkerFilters(q="wj"))
    first = worker_page(qs, size=2)
    second = worker_page(qs, cursor=first.next_cursor, size=2)
    # wj (王杰 wangjie, 王军 wangjun, 吴佳 wujia) before wjg (王建国)
    assert _names(first.items) + _names(second.items) == ["王杰", "王军", "吴佳", "王建国"]
    assert second.next_cursor is None


def test_letters_search_filtered_further_is_still_exact(world: Any) -> None:
    """A caller that narrows the list after worker_list gets the plain query (not the branches
    made without its filter)."""
    make_worker(world.enterprise_a, 300, name="张三")
    make_worker(world.enterprise_a, 301, name="张四", status="left")
    qs = worker_list(world.alice, WorkerFilters(q="zh")).filter(status="left")
    assert _names(worker_page(qs).items) == ["张四"]
