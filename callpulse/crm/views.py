"""Client screens: search as you type (a number in any form, a name) and the client card."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from callpulse.crm.models import Client
from callpulse.crm.selectors import client_card, clients_search


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The search box; with htmx it answers with the result list only."""
    query = request.GET.get("q", "").strip()
    results = list(clients_search(query)) if query else []
    if len(results) == 1 and request.GET.get("go") == "1":
        return redirect("crm:card", client_id=results[0].pk)
    template = "crm/_results.html" if request.htmx else "crm/search.html"  # type: ignore[attr-defined]
    return render(request, template, {"query": query, "results": results})


@login_required
def card(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client card: type, manager and whether they are in, debt status, contacts, history."""
    try:
        data = client_card(client_id=client_id, at=timezone.now())
    except Client.DoesNotExist:
        return render(request, "crm/not_found.html", status=404)
    return render(request, "crm/card.html", {"card": data, "client": data.client})
