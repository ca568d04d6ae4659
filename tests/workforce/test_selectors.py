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
