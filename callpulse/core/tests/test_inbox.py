"""The inbox (issue #14, item 4): every user's notifications, the unread count, mark read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from callpulse.core.events import get_bus, user_channel
from callpulse.core.models import Notification, NotificationKind
from callpulse.core.services import notification_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(make_user):
    return make_user("department_head", full_name="Ким Елена")


def _note(recipient, title: str, minutes_ago: int = 0, **fields) -> Notification:
    note = Notification.objects.create(recipient=recipient, title=title, **fields)
    Notification.objects.filter(pk=note.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return note


def test_the_inbox_lists_my_notifications_newest_first_and_nobody_elses(client, head, make_user):
    _note(head, "Старое уведомление", minutes_ago=30)
    _note(head, "Новое уведомление", minutes_ago=1, kind=NotificationKind.NEW_CLIENT)
    _note(make_user("operator"), "Чужое уведомление")
    client.force_login(head)

    html = client.get("/inbox/").content.decode()

    assert html.index("Новое уведомление") < html.index("Старое уведомление")
    assert "Чужое уведомление" not in html
    assert "Assign a manager" in html  # the kind's tag
    assert 'title="Unread notifications">2</span>' in html  # the top bar, on every page


def test_the_top_bar_shows_no_number_when_all_is_read(client, head):
    client.force_login(head)
    html = client.get("/").content.decode()
    assert 'data-testid="unread-count" title="Unread notifications" hidden>0<' in html


def test_the_count_answers_json_without_caching(client, head):
    _note(head, "Раз")
    _note(head, "Два", read_at=timezone.now())
    client.force_login(head)
    response = client.get("/inbox/count/")
    assert response.json() == {"unread": 1}
    assert response["Cache-Control"] == "no-store"


def test_mark_one_read_by_htmx_returns_the_row_and_asks_the_bar_to_recount(client, head):
    note = _note(head, "Заказ принят")
    client.force_login(head)
    response = client.post(f"/inbox/{note.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "inbox-changed"
    assert "Mark read" not in response.content.decode()
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_colleagues_notification_cannot_be_marked_or_opened(client, head, make_user):
    other = _note(make_user("operator"), "Чужое")
    client.force_login(head)
    assert client.post(f"/inbox/{other.pk}/read/").status_code == 404
    assert client.post(f"/inbox/{other.pk}/open/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read_leaves_colleagues_alone(client, head, make_user):
    _note(head, "Раз")
    _note(head, "Два")
    theirs = _note(make_user("operator"), "Чужое")
    client.force_login(head)
    response = client.post("/inbox/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=head, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_follows_the_link_and_marks_read_but_never_leaves_the_site(client, head):
    inside = _note(head, "Клиент", link="/clients/1/assign/")
    outside = _note(head, "Подозрительное", link="https://evil.example/")
    client.force_login(head)
    assert client.post(f"/inbox/{inside.pk}/open/")["Location"] == "/clients/1/assign/"
    assert client.post(f"/inbox/{outside.pk}/open/")["Location"] == "/inbox/"
    assert not Notification.objects.filter(recipient=head, read_at__isnull=True).exists()


def test_the_unread_filter_and_pages(client, head):
    for number in range(55):
        _note(head, f"Уведомление {number:02d}", minutes_ago=number)
    _note(head, "Прочитанное", read_at=timezone.now(), minutes_ago=100)
    client.force_login(head)
    first = client.get("/inbox/").content.decode()
    assert "Уведомление 00" in first and "Уведомление 54" not in first and "Older" in first
    unread = client.get("/inbox/?show=unread&page=2").content.decode()
    assert "Уведомление 54" in unread and "Прочитанное" not in unread


def test_a_notification_is_announced_on_the_recipients_channel(
    head, django_capture_on_commit_callbacks
):
    subscription = get_bus().subscribe([user_channel(head.pk)])
    try:
        with django_capture_on_commit_callbacks(execute=True):
            note = notification_send(
                recipient=head, title="Новый клиент", kind=NotificationKind.NEW_CLIENT
            )
        event = subscription.get(timeout=1)
    finally:
        subscription.close()
    assert event == {"type": "notification", "id": note.pk, "kind": "new_client"}


def test_the_inbox_needs_a_sign_in(client):
    assert client.get("/inbox/").status_code == 302
    assert client.get("/inbox/count/").status_code == 302
