"""Citizen IDs cannot be probed across scopes: registering, editing or importing a number held in
another province answers with the same neutral words as a transfer request for any number, and
files a request that only the holding employer sees and decides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gongjiang.core.duties import DutyConflict
from gongjiang.core.errors import ApplicationError
from gongjiang.core.models import AuditEvent
from gongjiang.workforce import services
from gongjiang.workforce.models import Transfer, TransferRequest, Worker
from gongjiang.workforce.roster.importer import roster_import
from gongjiang.workforce.transfer_decisions import (
    transfer_request_accept,
    transfer_request_decline,
    transfer_requests_pending,
)
from gongjiang.workforce.transfer_requests import NEUTRAL_REPLY, transfer_request_file

from .helpers import make_worker, unique_id, write_roster


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _create(actor: Any, org: Any, number: str, name: str = "张三") -> ApplicationError:
    with pytest.raises(ApplicationError) as exc:
        services.worker_create(actor=actor, organization=org, name=name, citizen_id=number)
    return exc.value


def test_registering_a_number_held_elsewhere_answers_neutrally(world: Any) -> None:
    theirs = make_worker(world.enterprise_b, 60)  # province B
    error = _create(world.alice, world.enterprise_a, unique_id(60), name="张六十")
    assert error.code == "registration_handed_on" and error.status == 202
    assert error.message == str(NEUTRAL_REPLY)
    assert world.enterprise_b.name not in str(error.details) + error.message
    # nothing was registered twice; the holder sees one pending request, the requester none
    assert Worker.objects.count() == 1
    request = TransferRequest.objects.get()
    assert (request.worker, request.to_organization) == (theirs, world.enterprise_a)
    assert request.name_given == "张六十" and request.requested_by == world.alice
    assert list(transfer_requests_pending(actor=world.bob)) == [request]
    assert list(transfer_requests_pending(actor=world.alice)) == []
    # asking again files no second request, and says the same
    assert _create(world.alice, world.enterprise_a, unique_id(60)).message == error.message
    assert TransferRequest.objects.count() == 1


def test_the_reply_is_the_same_whether_or_not_the_number_is_registered(world: Any) -> None:
    make_worker(world.enterprise_b, 61)
    ours = make_worker(world.enterprise_a, 62)
    replies = {
        transfer_request_file(
            actor=world.alice, to_organization=world.enterprise_a, citizen_id=unique_id(n)
        )
        for n in (61, 62, 63)  # held in province B, held in our own province, not registered
    }
    assert replies == {str(NEUTRAL_REPLY)}
    assert TransferRequest.objects.count() == 1  # only the one held elsewhere is routed
    assert TransferRequest.objects.get().worker.organization == world.enterprise_b
    assert ours.transfer_requests.count() == 0
    with pytest.raises(ValidationError):
        transfer_request_file(actor=world.alice, to_organization=world.enterprise_a, citizen_id="1")
    with pytest.raises(PermissionDenied):  # bob cannot ask on behalf of province A
        transfer_request_file(
            actor=world.bob, to_organization=world.enterprise_a, citizen_id=unique_id(61)
        )


def test_editing_to_a_number_held_elsewhere_answers_neutrally(world: Any) -> None:
    make_worker(world.enterprise_b, 64)
    ours = make_worker(world.enterprise_a, 65)
    with pytest.raises(ApplicationError) as exc:
        services.worker_update(actor=world.alice, worker=ours, citizen_id=unique_id(64))
    assert exc.value.message == str(NEUTRAL_REPLY)
    ours.refresh_from_db()
    assert ours.citizen_id_last4 == unique_id(65)[-4:]  # nothing half-written
    # a clash inside the actor's own organisations is no secret and is said plainly
    mine = make_worker(world.enterprise_a, 66)
    with pytest.raises(ValidationError) as plain:
        services.worker_update(actor=world.alice, worker=mine, citizen_id=unique_id(65))
    assert "citizen_id" in plain.value.message_dict


def test_holder_accepts_and_the_worker_moves_with_history(world: Any) -> None:
    theirs = make_worker(world.enterprise_b, 67)
    _create(world.alice, world.enterprise_a, unique_id(67))
    request = TransferRequest.objects.get()
    with pytest.raises(PermissionDenied):  # the requester never decides
        transfer_request_accept(actor=world.alice, request=request)
    transfer_request_accept(actor=world.bob, request=request)
    theirs.refresh_from_db()
    assert theirs.organization == world.enterprise_a
    transfer = Transfer.objects.get(worker=theirs)
    assert (transfer.from_organization, transfer.to_organization) == (
        world.enterprise_b,
        world.enterprise_a,
    )
    request.refresh_from_db()
    assert request.status == "accepted" and request.decided_by == world.bob
    with pytest.raises((ApplicationError, PermissionDenied)):  # decided, and no longer bob's
        transfer_request_decline(actor=world.bob, request=request)
    assert list(transfer_requests_pending(actor=world.bob)) == []


def test_holder_declines_and_nothing_moves(world: Any) -> None:
    theirs = make_worker(world.enterprise_b, 68)
    _create(world.alice, world.enterprise_a, unique_id(68))
    request = TransferRequest.objects.get()
    transfer_request_decline(actor=world.bob, request=request)
    theirs.refresh_from_db()
    assert theirs.organization == world.enterprise_b
    assert TransferRequest.objects.get().status == "declined"


def test_roster_rows_held_elsewhere_read_like_transfer_requests(world: Any, tmp_path: Path) -> None:
    from tests.workforce.test_import import HEADER

    theirs = make_worker(world.enterprise_b, 70)
    rows = [
        [theirs.name, unique_id(70), "", "", "", "", "", "", "", "", ""],
        ["新人", unique_id(71), "", "", "", "", "", "", "", "", ""],
    ]
    path = write_roster(tmp_path / "r.xlsx", rows, header=HEADER)
    dry = roster_import(actor=world.alice, source=path, dry_run=True)
    assert [e.message for e in dry.errors] == [str(NEUTRAL_REPLY)]
    assert "outside" not in dry.errors[0].message and "registered with an employer" not in (
        dry.errors[0].message
    )
    assert not TransferRequest.objects.exists()  # a dry run files nothing
    result = roster_import(actor=world.alice, source=path, organization=world.enterprise_a)
    assert [e.message for e in result.errors] == [str(NEUTRAL_REPLY)]
    assert result.created == 1
    request = TransferRequest.objects.get()
    assert (request.worker, request.to_organization) == (theirs, world.enterprise_a)


def test_pages_list_and_decide_only_for_the_holder(client: Any, world: Any) -> None:
    from tests.access_helpers import check_access

    theirs = make_worker(world.enterprise_b, 72)
    _create(world.alice, world.enterprise_a, unique_id(72))
    request = TransferRequest.objects.get()
    r = check_access(
        client, url="/workforce/transfer-requests/", in_scope=world.bob, out_of_scope=None
    )
    assert theirs.name in r.content.decode()
    client.force_login(world.alice)  # the requester sees nothing of it
    assert theirs.name not in client.get("/workforce/transfer-requests/").content.decode()
    url = f"/workforce/transfer-requests/{request.code}/accept/"
    assert client.post(url).status_code == 404  # not hers to see: like a missing request
    client.force_login(world.bob)
    assert client.post(url).status_code == 302
    theirs.refresh_from_db()
    assert theirs.organization == world.enterprise_a


def test_api_files_lists_and_decides(client: Any, world: Any) -> None:
    import json

    theirs = make_worker(world.enterprise_b, 73)
    make_worker(world.enterprise_a, 74)
    client.force_login(world.alice)
    replies = []
    for n in (73, 74, 75):  # held in province B, held here, not registered
        r = client.post(
            "/api/v1/workforce/transfer-requests",
            data=json.dumps({"organization": world.enterprise_a.code, "citizen_id": unique_id(n)}),
            content_type="application/json",
        )
        assert r.status_code == 202
        replies.append(r.json())
    assert replies[0] == replies[1] == replies[2]
    assert client.get("/api/v1/workforce/transfer-requests").json() == []
    # registering the held number over the API gives the same words, with 202
    r = client.post(
        "/api/v1/workforce/workers",
        data=json.dumps(
            {"organization": world.enterprise_a.code, "name": "张三", "citizen_id": unique_id(73)}
        ),
        content_type="application/json",
    )
    assert r.status_code == 202 and r.json()["message"] == replies[0]["message"]
    client.force_login(world.bob)
    pending = client.get("/api/v1/workforce/transfer-requests").json()
    assert [p["worker"] for p in pending] == [theirs.code]
    code = pending[0]["code"]
    client.force_login(world.alice)
    assert client.post(f"/api/v1/workforce/transfer-requests/{code}/accept").status_code == 404
    client.force_login(world.bob)
    r = client.post(f"/api/v1/workforce/transfer-requests/{code}/accept")
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    theirs.refresh_from_db()
    assert theirs.organization == world.enterprise_a


@pytest.mark.parametrize("decide", [transfer_request_accept, transfer_request_decline])
def test_an_officer_who_filed_the_request_does_not_decide_it(world: Any, decide: Any) -> None:
    # one who may act for the holding employer too (bob here) but filed the request is refused by
    # core.duties: 403 separation_of_duties, with the audit row of the refusal
    make_worker(world.enterprise_b, 68)
    _create(world.alice, world.enterprise_a, unique_id(68))
    request = TransferRequest.objects.get()
    TransferRequest.objects.filter(pk=request.pk).update(requested_by=world.bob)
    request.refresh_from_db()
    with pytest.raises(DutyConflict) as refused:
        decide(actor=world.bob, request=request)
    assert refused.value.status == 403 and refused.value.code == "separation_of_duties"
    assert str(refused.value.message) == "You filed this request, so someone else decides it."
    refusal = AuditEvent.objects.get(action__endswith=".refused")
    assert refusal.actor == world.bob and refusal.details["reason"] == "own_request"
    request.refresh_from_db()
    assert request.status == "pending"
