"""Risky clicks ask first, with or without JavaScript.

A form that needs a yes carries `data-confirm="question"` and a hidden `confirmed` field;
`core/static/core/confirm.js` asks in the browser and sets the field to "1". A post without it
(no JavaScript, or a hand-made request) gets this page instead of the change: the question and a
button that posts the same fields again, confirmed. The dialog is the convenience; the page is
what makes the server safe.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme

CONFIRMED_FIELD = "confirmed"
_NOT_REPOSTED = frozenset({"csrfmiddlewaretoken", CONFIRMED_FIELD})


def is_confirmed(request: HttpRequest) -> bool:
    """True when the post says the user answered yes."""
    return request.POST.get(CONFIRMED_FIELD) == "1"


def confirmation_page(
    request: HttpRequest,
    *,
    question: str | Promise,
    confirm_label: str | Promise,
    detail: str | Promise = "",
    cancel_url: str = "",
) -> HttpResponse:
    """The question on a page of its own, the posted fields kept for the confirmed repost."""
    back = request.POST.get("next", "") or cancel_url
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = cancel_url or "/"
    fields = [
        (name, value)
        for name in request.POST
        if name not in _NOT_REPOSTED
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "core/confirm.html",
        {
            "question": question,
            "detail": detail,
            "confirm_label": confirm_label,
            "action": request.path,
            "fields": fields,
            "cancel_url": back,
        },
    )
