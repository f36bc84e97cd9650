"""The operator's desk: the call on screen the moment it rings, states, outcome, transfers.

The page listens to /desk/stream/ (server-sent events) and reloads only its call panel when the
phone system reports a ring, an answer or a hang-up for this operator.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callpulse.core.confirm import confirmation_page, is_confirmed
from callpulse.core.events import get_bus, publish_health, user_channel
from callpulse.core.models import Department, User
from callpulse.core.paging import page_of
from callpulse.core.permissions import staff_user_from
from callpulse.core.phones import format_phone
from callpulse.core.roles import (
    CALLBACK_QUEUE_READERS,
    CALLERS,
    CLIENT_EDITORS,
    STAFF_DIRECTORY,
    user_has_role,
)
from callpulse.core.templatetags.clock import due
from callpulse.crm.forms import NewClientForm
from callpulse.crm.models import Client
from callpulse.crm.selectors import client_card, client_duplicates
from callpulse.orders.selectors import call_took_an_order
from callpulse.telephony import selectors, services
from callpulse.telephony.models import (
    AgentState,
    AgentStatus,
    Call,
    Callback,
    Outcome,
)
from callpulse.telephony.routing import reasons_text

HEARTBEAT_SECONDS = 15.0
STREAM_RETRY_MILLISECONDS = 2000  # the browser reconnects this long after a stream ends


def _panel_context(user: User) -> dict[str, object]:
    call = selectors.operator_current_call(user)
    context: dict[str, object] = {
        "call": call,
        "outcomes": Outcome.choices,
        "status": AgentStatus.objects.filter(user=user).first(),
        "self_states": services.SELF_SERVICE_STATES,
        "states": AgentState,
    }
    if call is None:
        return context
    if call.client_id is None:
        if user_has_role(user, CLIENT_EDITORS):
            context["new_client_form"] = NewClientForm(
                initial={"phone": format_phone(call.from_number) if call.from_number else ""}
            )
    else:
        context["card"] = client_card(client_id=call.client_id)
        context["recent_calls"] = (
            selectors.calls_registry().filter(client_id=call.client_id).exclude(pk=call.pk)[:5]
        )
    if call.client_id is not None and not call.outcome and call_took_an_order(call.pk):
        context["preset_outcome"] = Outcome.ORDER_TAKEN  # the wrap-up starts from the truth
    context["routing_summary"] = (
        reasons_text(call.routing.get("reasons", [])) if call.routing else ""
    )
    target = (call.routing or {}).get("target") or {}
    if target.get("user"):
        context["suggested"] = User.objects.filter(pk=target["user"]).first()
    context["colleagues"] = (
        selectors.staff_reachable(at=timezone.now())
        .exclude(pk=user.pk)
        .exclude(extension__isnull=True)
    )
    context["departments"] = Department.objects.all()
    return context


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The operator's screen."""
    user = staff_user_from(request)
    now = timezone.now()
    # the operator's own queue: due first, never a do-not-call number or a colleague's promise
    callbacks = (
        selectors.callback_queue(user=user, at=now)[:10]
        if user_has_role(user, CALLBACK_QUEUE_READERS)
        else []
    )
    return render(
        request,
        "telephony/desk.html",
        {
            **_panel_context(user),
            "callbacks": callbacks,
            "now": now,
            "may_call": user_has_role(user, CALLERS),
        },
    )


@login_required
def desk_panel(request: HttpRequest) -> HttpResponse:
    """The call panel alone (htmx swaps it in when an event arrives)."""
    return render(request, "telephony/_call_panel.html", _panel_context(staff_user_from(request)))


def _sse(name: str, data: dict[str, object]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


@login_required
def desk_stream(request: HttpRequest) -> StreamingHttpResponse:
    """Server-sent events for this operator: ring, answered, ended, transferred, notification.

    Always a 200 that stays open, Redis or not: while the bus is away the stream sends
    `live` {"live": false} (at once if it is away from the start) and heartbeats, then
    {"live": true} once it has subscribed again, so the desk shows a notice instead of going
    dead until reloaded.
    """
    subscription = get_bus().subscribe([user_channel(staff_user_from(request).pk)])

    def stream() -> Iterator[str]:
        reported_live = True  # an opened stream counts as live on the page until told not
        try:
            yield f"retry: {STREAM_RETRY_MILLISECONDS}\n\n"
            while True:
                if subscription.live != reported_live:
                    reported_live = subscription.live
                    yield _sse("live", {"live": reported_live})
                event = subscription.get(timeout=HEARTBEAT_SECONDS)
                if event is None:
                    yield ": heartbeat\n\n"
                else:
                    yield _sse(str(event.get("type", "message")), event)
        finally:
            subscription.close()

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response


@login_required
@require_POST
def desk_state(request: HttpRequest) -> HttpResponse:
    """The operator's own buttons: available, break, offline."""
    user = staff_user_from(request)
    error = ""
    try:
        services.agent_state_choose(user=user, state=request.POST.get("state", ""))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:  # type: ignore[attr-defined]
        context = {**_panel_context(user), "errors": {"state": [error]} if error else {}}
        return render(request, "telephony/_call_panel.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect("telephony:desk")


@login_required
@require_POST
def call_outcome(request: HttpRequest, call_id: int) -> HttpResponse:
    """Log the outcome at wrap-up; errors come back on the panel, next to the fields."""
    call = get_object_or_404(Call, pk=call_id)
    user = staff_user_from(request)
    raw_callback = request.POST.get("callback_at", "").strip()
    callback_at = parse_datetime(raw_callback) if raw_callback else None
    if callback_at is not None and timezone.is_naive(callback_at):
        callback_at = timezone.make_aware(callback_at)
    errors: dict[str, list[str]] = {}
    try:
        services.call_log_outcome(
            actor=user,
            call=call,
            outcome=request.POST.get("outcome", ""),
            notes=request.POST.get("notes", ""),
            callback_at=callback_at,
        )
    except ValidationError as exc:
        errors = exc.message_dict
    except PermissionDenied as exc:
        errors = {"outcome": [str(exc)]}
    context = {**_panel_context(user), "errors": errors, "posted": request.POST}
    if errors:
        context["call"] = call
    return render(request, "telephony/_call_panel.html", context, status=400 if errors else 200)


@login_required
@require_POST
def call_transfer(request: HttpRequest, call_id: int) -> HttpResponse:
    """Ask the phone system to transfer the call (to the suggestion or anyone)."""
    call = get_object_or_404(Call, pk=call_id)
    user = staff_user_from(request)
    target = User.objects.filter(pk=request.POST.get("to_user") or 0).first()
    context = _panel_context(user)
    if target is None:
        context["errors"] = {"to_user": [_("Choose a colleague.")]}
        return render(request, "telephony/_call_panel.html", context, status=400)
    try:
        services.call_transfer_request(actor=user, call=call, to_user=target)
        context["notice"] = _("Transfer to %(name)s requested.") % {"name": target}
    except (ValidationError, PermissionDenied) as exc:
        context["errors"] = {"to_user": [str(m) for m in getattr(exc, "messages", [str(exc)])]}
        return render(request, "telephony/_call_panel.html", context, status=400)
    return render(request, "telephony/_call_panel.html", context)


@login_required
@require_POST
def client_remark(request: HttpRequest, call_id: int) -> HttpResponse:
    """Pass the client's remark or wish to a department."""
    call = get_object_or_404(Call.objects.select_related("client"), pk=call_id)
    user = staff_user_from(request)
    context = _panel_context(user)
    department = Department.objects.filter(pk=request.POST.get("department") or 0).first()
    if call.client is None or department is None:
        context["errors"] = {"remark": [_("Choose the department concerned.")]}
        return render(request, "telephony/_call_panel.html", context, status=400)
    try:
        services.client_remark_send(
            actor=user,
            client=call.client,
            department=department,
            text=request.POST.get("text", ""),
            call=call,
        )
    except ValidationError as exc:
        context["errors"] = {"remark": exc.messages}
        return render(request, "telephony/_call_panel.html", context, status=400)
    context["notice"] = _("Remark sent to %(department)s.") % {
        "department": department.display_name
    }
    return render(request, "telephony/_call_panel.html", context)


def _new_client_answer(
    request: HttpRequest, user: User, form: NewClientForm, duplicates: list[Client]
) -> HttpResponse:
    """The panel again with the form as posted: its errors, or the clients it may duplicate."""
    context = {**_panel_context(user), "new_client_form": form, "duplicates": duplicates}
    status = 400 if form.errors else 200
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "telephony/_call_panel.html", context, status=status)
    return render(request, "telephony/desk.html", {**context, "callbacks": []}, status=status)


@login_required
@require_POST
def call_client_create(request: HttpRequest, call_id: int) -> HttpResponse:
    """ "Create client" on the new caller's card: duplicates first, then the card on the call."""
    call = get_object_or_404(Call, pk=call_id)
    user = staff_user_from(request)
    form = NewClientForm(request.POST)
    duplicates: list[Client] = []
    if form.is_valid():
        arguments = form.service_arguments()
        if not form.cleaned_data["confirm"]:
            duplicates = client_duplicates(name=arguments["name"], numbers=form.numbers())
        if not duplicates:
            try:
                client = services.call_client_create(actor=user, call=call, **arguments)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                return _panel_with_notice(
                    request,
                    user,
                    _("%(client)s is a client now; the department head assigns a manager.")
                    % {"client": client.name},
                )
    return _new_client_answer(request, user, form, duplicates)


@login_required
@require_POST
def call_client_choose(request: HttpRequest, call_id: int) -> HttpResponse:
    """The caller is a client we know (from a new number): use their card for this call."""
    call = get_object_or_404(Call, pk=call_id)
    user = staff_user_from(request)
    raw = request.POST.get("existing", "")
    client = Client.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    form = NewClientForm(request.POST)
    if client is None:
        form.is_valid()
        form.add_error(None, _("Choose the client from the list."))
        return _new_client_answer(request, user, form, [])
    try:
        services.call_client_choose(actor=user, call=call, client=client)
    except ValidationError as exc:
        form.is_valid()
        form.add_error(None, exc.messages)
        return _new_client_answer(request, user, form, [])
    return _panel_with_notice(
        request,
        user,
        _("The caller is %(client)s; the number is on their card now.") % {"client": client.name},
    )


def _panel_with_notice(request: HttpRequest, user: User, notice: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        context = {**_panel_context(user), "notice": notice}
        return render(request, "telephony/_call_panel.html", context)
    messages.success(request, notice)
    return redirect("telephony:desk")


@login_required
def calls_unlogged(request: HttpRequest) -> HttpResponse:
    """Ended calls without an outcome, for the supervisor to chase."""
    if not user_has_role(request.user, STAFF_DIRECTORY):
        raise PermissionDenied
    context = {
        "calls": page_of(request, selectors.calls_without_outcome()),
        "journal": selectors.cti_journal_health(),
        "live_events": publish_health(),
    }
    return render(request, "telephony/unlogged.html", context)


@login_required
def callbacks(request: HttpRequest) -> HttpResponse:
    """Calls we owe clients: the ones I may call, due first by priority; the callback SLA."""
    user = staff_user_from(request)
    now = timezone.now()
    page = page_of(request, selectors.callback_queue_visible_to(user, at=now))
    for callback in page:  # a row whose client may not be called yet says from when
        callback.dialable_from = services.callback_dialable_from(callback, at=now)
    return render(
        request,
        "telephony/callbacks.html",
        {
            "callbacks": page,
            "page": page,
            "now": now,
            "sla": selectors.callback_sla(since=now - timedelta(days=7), until=now),
            "may_call": user_has_role(user, services.CALLERS),
        },
    )


def _callback_action(request: HttpRequest, action: Callable[[], str]) -> HttpResponse:
    try:
        notice = action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        if notice:
            messages.success(request, notice)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)  # e.g. the desk, where the operator pressed the button
    return redirect("telephony:callbacks")


@login_required
@require_POST
def dial_number(request: HttpRequest) -> HttpResponse:
    """Click-to-call from a client's card: the phone system rings my phone, then the number.

    Through `dial_request`, so the do-not-call list and the client's calling hours hold here too.
    """
    user = staff_user_from(request)
    client_id = request.POST.get("client", "")
    client = Client.objects.filter(pk=int(client_id)).first() if client_id.isdigit() else None

    def act() -> str:
        number = request.POST.get("number", "")
        services.dial_request(actor=user, number=number, client=client)
        return _("Dialling %(number)s: your phone rings first.") % {"number": format_phone(number)}

    return _callback_action(request, act)


@login_required
@require_POST
def callback_take(request: HttpRequest) -> HttpResponse:
    """An available operator takes the most urgent due callback."""
    user = staff_user_from(request)

    def act() -> str:
        now = timezone.now()
        taken = services.callback_take_next(actor=user, at=now)
        if taken is not None:
            return _("%(number)s is yours for now.") % {"number": format_phone(taken.phone)}
        next_at = services.callback_next_dialable_at(user=user, at=now)
        if next_at is None:
            return _("No callback is waiting.")
        return _(
            "No callback can be dialled now (calling hours on the client's clock):"
            " the next one can be at %(when)s."
        ) % {"when": due(next_at)}

    return _callback_action(request, act)


@login_required
@require_POST
def callback_dial(request: HttpRequest, callback_id: int) -> HttpResponse:
    """One click: the phone system rings my phone and dials the client."""
    user = staff_user_from(request)
    callback = get_object_or_404(Callback, pk=callback_id)

    def act() -> str:
        services.callback_dial(actor=user, callback=callback)
        shown = format_phone(callback.phone)
        return _("Dialling %(number)s: your phone rings first.") % {"number": shown}

    return _callback_action(request, act)


@login_required
@require_POST
def callback_settle(request: HttpRequest, callback_id: int) -> HttpResponse:
    """Reached, no answer (the retry rule applies) or cancelled."""
    user = staff_user_from(request)
    callback = get_object_or_404(Callback, pk=callback_id)
    result = request.POST.get("result", "")
    asks_first = result == "done" and callback.attempts == 0 and not is_confirmed(request)
    # a colleague's held callback is refused by the service at once, without the question
    if asks_first and selectors.callback_queue(user=user).filter(pk=callback.pk).exists():
        return confirmation_page(
            request,
            question=_("Mark %(number)s as reached without a call from here?")
            % {"number": format_phone(callback.phone)},
            detail=_("Nobody has dialled this callback yet. It will be closed as done."),
            confirm_label=_("Yes, the client was reached"),
            cancel_url=reverse("telephony:callbacks"),
        )

    def act() -> str:
        services.callback_settle(
            actor=user,
            callback=callback,
            result=result,
            note=request.POST.get("note", ""),
        )
        return ""

    return _callback_action(request, act)
