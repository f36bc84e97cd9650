"""Client screens: search as you type (a number in any form, a name) and the client card."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from callpulse.core.models import User
from callpulse.core.permissions import staff_user_from
from callpulse.core.roles import (
    CLIENT_ASSIGNERS,
    CLIENT_EDITORS,
    CREDIT_CONTROLLERS,
    ORDER_READERS_ALL,
    ORDER_TAKERS,
    user_has_role,
)
from callpulse.crm import services
from callpulse.crm.forms import CreditEventForm, CreditLimitForm, NewClientForm
from callpulse.crm.history import HISTORY_FIRST, client_history
from callpulse.crm.models import Client
from callpulse.crm.selectors import (
    client_card,
    client_duplicates,
    clients_search,
    clients_with_card_relations,
    department_for_new_clients,
    managers_to_assign,
)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The search box; with htmx it answers with the result list only."""
    query = request.GET.get("q", "").strip()
    results = list(clients_search(query)) if query else []
    if len(results) == 1 and request.GET.get("go") == "1":
        return redirect("crm:card", client_id=results[0].pk)
    template = "crm/_results.html" if request.htmx else "crm/search.html"  # type: ignore[attr-defined]
    context = {
        "query": query,
        "results": results,
        "may_create": user_has_role(request.user, CLIENT_EDITORS),
    }
    return render(request, template, context)


@login_required
def card(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client card: type, manager and whether they are in, debt status, contacts, history."""
    return _card_page(request, client_id)


def _card_page(
    request: HttpRequest,
    client_id: int,
    *,
    limit_form: CreditLimitForm | None = None,
    event_form: CreditEventForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The card; with a finance form that failed, the card again with its errors (a 400)."""
    try:
        data = client_card(client_id=client_id, at=timezone.now())
    except Client.DoesNotExist:
        return render(request, "crm/not_found.html", status=404)
    user = request.user
    may_control_credit = user_has_role(user, CREDIT_CONTROLLERS)
    if may_control_credit:
        limit_form = limit_form or CreditLimitForm(
            initial={"credit_limit": data.client.credit_limit}
        )
        event_form = event_form or CreditEventForm(initial={"occurred_on": timezone.localdate()})
    return render(
        request,
        "crm/card.html",
        {
            "card": data,
            "client": data.client,
            "may_take_order": data.client.is_active and user_has_role(user, ORDER_TAKERS),
            "may_assign": user_has_role(user, CLIENT_ASSIGNERS),
            "may_control_credit": may_control_credit,
            "limit_form": limit_form,
            "event_form": event_form,
            "history": client_history(
                client=data.client,
                viewer=staff_user_from(request),
                limit=_history_limit(request.GET.get("history")),
            ),
            "may_list_orders": user_has_role(user, ORDER_TAKERS | ORDER_READERS_ALL),
        },
        status=status,
    )


@login_required
@require_POST
def credit_limit_set(request: HttpRequest, client_id: int) -> HttpResponse:
    """Finance sets the client's credit limit from the card (`client_update` holds the rule)."""
    user = staff_user_from(request)
    if not user_has_role(user, CREDIT_CONTROLLERS):
        raise PermissionDenied
    client = get_object_or_404(Client, pk=client_id)
    form = CreditLimitForm(request.POST)
    if form.is_valid():
        try:
            services.client_update(
                actor=user, client=client, credit_limit=form.cleaned_data["credit_limit"]
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {}
            form.add_error("credit_limit", errors.get("credit_limit", exc.messages))
        else:
            messages.success(request, _("Credit limit saved."))
            return redirect("crm:card", client_id=client.pk)
    return _card_page(request, client.pk, limit_form=form, status=400)


@login_required
@require_POST
def credit_event_add(request: HttpRequest, client_id: int) -> HttpResponse:
    """Finance records a payment (or an invoice, a write-off) from the card."""
    user = staff_user_from(request)
    if not user_has_role(user, CREDIT_CONTROLLERS):
        raise PermissionDenied
    client = get_object_or_404(Client, pk=client_id)
    form = CreditEventForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            event = services.credit_event_record(
                actor=user,
                client=client,
                kind=data["kind"],
                amount=data["amount"],
                occurred_on=data["occurred_on"],
                due_on=data["due_on"],
                document=data["document"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("%(event)s recorded.") % {"event": event.get_kind_display()}
            )
            return redirect("crm:card", client_id=client.pk)
    return _card_page(request, client.pk, event_form=form, status=400)


def _history_limit(raw: str | None) -> int:
    """How many history entries to show ("show more" asks for more); the first page if unsure."""
    if raw and raw.isascii() and raw.isdigit() and len(raw) <= 4:
        return int(raw)  # the selector keeps it between 1 and HISTORY_MAX
    return HISTORY_FIRST


@login_required
@require_http_methods(["GET", "POST"])
def client_new(request: HttpRequest) -> HttpResponse:
    """Open a client card outside a call (the desk has its own, for the caller on the line).

    Possible duplicates (the number, a name alike) are shown before anything is saved; the
    operator opens the existing card or says it is a new client after all.
    """
    user = staff_user_from(request)
    if not user_has_role(user, CLIENT_EDITORS):
        raise PermissionDenied
    duplicates: list[Client] = []
    if request.method == "GET":
        form = NewClientForm(initial={"phone": request.GET.get("phone", "")})
        return render(request, "crm/new.html", {"form": form})
    form = NewClientForm(request.POST)
    if form.is_valid():
        arguments = form.service_arguments()
        if not form.cleaned_data["confirm"]:
            duplicates = client_duplicates(name=arguments["name"], numbers=form.numbers())
        if not duplicates:
            try:
                client = services.client_create(actor=user, **arguments)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("Client card opened. The department head will assign a manager.")
                    if client.manager is None
                    else _("Client card opened."),
                )
                return redirect("crm:card", client_id=client.pk)
    status = 400 if form.errors else 200
    context = {"form": form, "duplicates": duplicates}
    return render(request, "crm/new.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def client_assign(request: HttpRequest, client_id: int) -> HttpResponse:
    """A head gives a client to an account manager (from "assign a manager" in the inbox)."""
    user = staff_user_from(request)
    if not user_has_role(user, CLIENT_ASSIGNERS):
        raise PermissionDenied
    client = get_object_or_404(
        clients_with_card_relations().prefetch_related("phones", "contacts"), pk=client_id
    )
    department = department_for_new_clients(client.client_type)
    managers = managers_to_assign(department=department)
    error = ""
    if request.method == "POST":
        raw = request.POST.get("manager", "")
        chosen = next((m for m in managers if str(m.pk) == raw), None)
        if chosen is None:
            # anyone else is checked by the service: an inactive person gets its message
            chosen = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if chosen is None:
            error = _("Choose a manager.")
        else:
            try:
                services.client_update(actor=user, client=client, manager=chosen)
            except ValidationError as exc:
                error = " ".join(exc.message_dict.get("manager", exc.messages))
            else:
                messages.success(
                    request,
                    _("%(client)s is now managed by %(manager)s.")
                    % {"client": client.name, "manager": chosen},
                )
                return redirect("crm:card", client_id=client.pk)
    context = {
        "client": client,
        "department": department,
        "managers": managers,
        "error": error,
    }
    return render(request, "crm/assign.html", context, status=400 if error else 200)
