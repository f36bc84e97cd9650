"""Campaign screens: the list, a new campaign, results (live), the operator's preview mode,
scripts, the do-not-call list, and the public "call me back" page and its embeddable snippet.

Views parse, call one service or selector, and render; errors come back next to the fields.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from callpulse.campaigns import selectors, services
from callpulse.campaigns.models import (
    PENDING_SEGMENTS,
    Campaign,
    CampaignRecord,
    CampaignStatus,
    Script,
    Segment,
)
from callpulse.campaigns.roles import CAMPAIGN_MANAGERS, DNC_EDITORS, SCRIPT_EDITORS
from callpulse.core import exports, imports
from callpulse.core.confirm import confirmation_page, is_confirmed
from callpulse.core.models import User
from callpulse.core.paging import page_of
from callpulse.core.permissions import staff_user_from
from callpulse.core.phones import format_phone
from callpulse.core.roles import CALLERS, user_has_role
from callpulse.crm.models import Client, ClientType, DoNotCall
from callpulse.crm.selectors import client_card


def _forbid_unless(user: User, roles: frozenset[str]) -> None:
    if not user_has_role(user, roles):
        raise PermissionDenied


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


# --- the list and a new campaign -----------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = staff_user_from(request)
    campaigns = list(selectors.campaigns_for(user)[:30])
    rows = [(c, selectors.campaign_progress(c)) for c in campaigns]
    return render(
        request,
        "campaigns/home.html",
        {
            "rows": rows,
            "mine": set(user.campaigns_assigned.values_list("pk", flat=True)),
            "may_manage": user_has_role(user, CAMPAIGN_MANAGERS),
            "may_edit_scripts": user_has_role(user, SCRIPT_EDITORS),
            "may_see_dnc": user_has_role(user, DNC_EDITORS),
        },
    )


def callers() -> Any:
    """Who may be assigned to work a campaign: the same rule the service checks on saving."""
    return (
        User.objects.filter(is_active=True, extension__isnull=False, roles__code__in=CALLERS)
        .distinct()
        .order_by("full_name", "username")
    )


class CampaignForm(forms.Form):
    """Parses the new-campaign form; the rules are the service's."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    goal = forms.CharField(label=gettext_lazy("Goal"), max_length=255, required=False)
    instruction = forms.CharField(
        label=gettext_lazy("Instruction for operators"), widget=forms.Textarea, required=False
    )
    script = forms.ModelChoiceField(
        label=gettext_lazy("Script"), queryset=Script.objects.all(), required=False
    )
    # segments waiting for a module callpulse does not have yet are not offered
    segment = forms.ChoiceField(
        label=gettext_lazy("Segment"),
        choices=[c for c in Segment.choices if c[0] not in PENDING_SEGMENTS],
    )
    dormant_days = forms.IntegerField(
        label=gettext_lazy("Days without an order"), required=False, initial=60
    )
    client_types = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Client types"),
        queryset=ClientType.objects.all(),
        required=False,
        to_field_name="code",
    )
    regions = forms.CharField(
        label=gettext_lazy("Regions (comma-separated)"), max_length=500, required=False
    )
    sku = forms.CharField(label=gettext_lazy("Product SKU"), max_length=60, required=False)
    operators = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Operators"), queryset=User.objects.none(), required=False
    )
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner (gets the report)"),
        queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy("Empty: you."),
    )
    retry_minutes = forms.IntegerField(label=gettext_lazy("Retry after, minutes"), initial=60)
    max_attempts = forms.IntegerField(label=gettext_lazy("Attempts at most"), initial=3)
    calling_from = forms.TimeField(
        label=gettext_lazy("Call from"),
        initial=time(9, 0),
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    calling_until = forms.TimeField(
        label=gettext_lazy("Call until"),
        initial=time(20, 0),
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
    )
    regenerate_daily = forms.BooleanField(
        label=gettext_lazy("Regenerate the list every day"), required=False
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["operators"].queryset = callers()  # type: ignore[attr-defined]
        self.fields["owner"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True
        ).order_by("full_name", "username")

    def to_input(self, actor: User) -> services.CampaignInput:
        data = self.cleaned_data
        segment = data["segment"]
        params: dict[str, Any] = {}
        if segment == Segment.DORMANT:
            params = {"days": data.get("dormant_days")}
        elif segment == Segment.CLIENT_TYPE:
            params = {"values": [t.code for t in data.get("client_types") or []]}
        elif segment == Segment.REGION:
            params = {
                "values": [r.strip() for r in (data.get("regions") or "").split(",") if r.strip()]
            }
        elif segment == Segment.PRODUCT:
            params = {"sku": (data.get("sku") or "").strip()}
        return services.CampaignInput(
            name=data["name"],
            segment=segment,
            owner=data.get("owner") or actor,
            goal=data.get("goal") or "",
            instruction=data.get("instruction") or "",
            script=data.get("script"),
            segment_params=params,
            operators=list(data.get("operators") or []),
            retry_minutes=data["retry_minutes"],
            max_attempts=data["max_attempts"],
            calling_from=data["calling_from"],
            calling_until=data["calling_until"],
            regenerate_daily=data.get("regenerate_daily") or False,
            ends_on=data.get("ends_on"),
        )


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    user = staff_user_from(request)
    _forbid_unless(user, CAMPAIGN_MANAGERS)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=user, data=form.to_input(user))
        except ValidationError as exc:
            for field, errors in _errors(exc).items():
                target = "dormant_days" if field == "segment_params" else field
                form.add_error(target if target in form.fields else None, errors)
        else:
            return redirect("campaigns:detail", campaign.pk)
    return render(
        request,
        "campaigns/new.html",
        {"form": form, "status": 400 if form.errors else 200},
        status=400 if form.errors else 200,
    )


# --- results -------------------------------------------------------------------------------------


def _campaign_for_results(request: HttpRequest, campaign_id: int) -> tuple[User, Campaign]:
    user = staff_user_from(request)
    campaign = get_object_or_404(Campaign.objects.select_related("owner", "script"), pk=campaign_id)
    if not selectors.user_may_read_results(user, campaign):
        raise PermissionDenied
    return user, campaign


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user, campaign = _campaign_for_results(request, campaign_id)
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "progress": selectors.campaign_progress(campaign),
            "script_results": selectors.script_results(campaign),
            "may_manage": user_has_role(user, CAMPAIGN_MANAGERS),
            "operators": campaign.operators.all(),
            "callers": callers(),
            "statuses": CampaignStatus,
            "is_import": campaign.segment == Segment.IMPORT,
        },
    )


@login_required
def campaign_progress(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The live part of the results (htmx polls it)."""
    _user, campaign = _campaign_for_results(request, campaign_id)
    return render(
        request,
        "campaigns/_progress.html",
        {"campaign": campaign, "progress": selectors.campaign_progress(campaign)},
    )


@login_required
def campaign_export(request: HttpRequest, campaign_id: int, fmt: str) -> HttpResponse:
    """The campaign's records with dispositions, orders and answers, as CSV or XLSX."""
    _user, campaign = _campaign_for_results(request, campaign_id)
    header, rows = selectors.export_rows(campaign)
    filename = f"campaign-{campaign.pk}"
    # Both through the shared writer: names people typed never run as formulas.
    if fmt == "csv":
        response = HttpResponse(
            exports.csv_bytes([header, *rows]), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        title = exports.sheet_title(campaign.name, fallback="campaign")
        response = HttpResponse(
            exports.xlsx_bytes([header, *rows], title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@login_required
@require_POST
def campaign_status(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = staff_user_from(request)
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    try:
        services.campaign_set_status(
            actor=user, campaign=campaign, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("campaigns:detail", campaign.pk)


@login_required
@require_POST
def campaign_operators(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Reassign the operators working the campaign."""
    user = staff_user_from(request)
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    chosen = list(
        User.objects.filter(pk__in=[v for v in request.POST.getlist("operators") if v.isdigit()])
    )
    try:
        services.campaign_set_operators(actor=user, campaign=campaign, operators=chosen)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Operators saved."))
    return redirect("campaigns:detail", campaign.pk)


@login_required
@require_POST
def campaign_import(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = staff_user_from(request)
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return redirect("campaigns:detail", campaign.pk)
    try:
        imports.check_size(upload.size)  # before the file is read into memory
    except imports.UnreadableUpload as exc:
        messages.error(request, str(exc))
        return redirect("campaigns:detail", campaign.pk)
    try:
        result = services.campaign_import(
            actor=user, campaign=campaign, name=upload.name or "", content=upload.read()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("campaigns:detail", campaign.pk)
    messages.success(
        request,
        _("Added %(added)d; duplicates %(dup)d; do-not-call %(dnc)d; errors %(errors)d.")
        % {
            "added": result.added,
            "dup": result.duplicates,
            "dnc": result.do_not_call,
            "errors": len(result.errors),
        },
    )
    for error in result.errors[:20]:
        messages.warning(request, error)
    return redirect("campaigns:detail", campaign.pk)


# --- preview mode --------------------------------------------------------------------------------


def _work_context(user: User, campaign: Campaign) -> dict[str, Any]:
    record = selectors.record_in_hand(user, campaign)
    context: dict[str, Any] = {
        "campaign": campaign,
        "record": record,
        "dispositions": campaign.dispositions.all(),
        "steps": list(campaign.script.steps.prefetch_related("answers")) if campaign.script else [],
        "now": timezone.now(),  # the record's local time is read on the client's clock
    }
    if record is not None:
        context["attempts"] = list(record.attempt_log.select_related("disposition", "command"))
        context["open_attempt"] = next(
            (a for a in reversed(context["attempts"]) if a.logged_at is None), None
        )
        if record.client_id is not None:
            context["card"] = client_card(client_id=record.client_id)
    return context


def _worker(request: HttpRequest, campaign_id: int) -> tuple[User, Campaign]:
    user = staff_user_from(request)
    campaign = get_object_or_404(Campaign.objects.select_related("script"), pk=campaign_id)
    if not campaign.operators.filter(pk=user.pk).exists():
        raise PermissionDenied
    return user, campaign


@login_required
def campaign_work(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Preview mode: the record in hand, its card and the script, dial, disposition."""
    user, campaign = _worker(request, campaign_id)
    return render(request, "campaigns/work.html", _work_context(user, campaign))


def _work_action(request: HttpRequest, campaign: Campaign, user: User, action: Any) -> HttpResponse:
    try:
        notice = action()
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(getattr(exc, "messages", [str(exc)]))
        context = {**_work_context(user, campaign), "error": text, "posted": request.POST}
        return render(request, "campaigns/work.html", context, status=400)
    if notice:
        messages.success(request, notice)
    return redirect("campaigns:work", campaign.pk)


def _record(campaign: Campaign, request: HttpRequest) -> CampaignRecord:
    return get_object_or_404(CampaignRecord, pk=request.POST.get("record") or 0, campaign=campaign)


@login_required
@require_POST
def work_next(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user, campaign = _worker(request, campaign_id)

    def act() -> str:
        record = services.campaign_next_record(actor=user, campaign=campaign)
        return "" if record is not None else _("Nobody to call right now.")

    return _work_action(request, campaign, user, act)


@login_required
@require_POST
def work_dial(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user, campaign = _worker(request, campaign_id)
    record = _record(campaign, request)

    def act() -> str:
        services.campaign_dial(actor=user, record=record)
        return _("Dialling %(number)s: your phone rings first.") % {"number": record.phone}

    return _work_action(request, campaign, user, act)


@login_required
@require_POST
def work_disposition(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user, campaign = _worker(request, campaign_id)
    record = _record(campaign, request)
    disposition = campaign.dispositions.filter(pk=request.POST.get("disposition") or 0).first()
    answers = {
        key.removeprefix("answer-"): request.POST.get(key, "")
        for key in request.POST
        if key.startswith("answer-")
    }

    def act() -> str:
        if disposition is None:
            raise ValidationError({"disposition": _("Choose how the call ended.")})
        services.campaign_disposition_log(
            actor=user,
            record=record,
            disposition=disposition,
            notes=request.POST.get("notes", ""),
            answers=answers,
        )
        return _("Logged: %(label)s.") % {"label": disposition.display_label}

    return _work_action(request, campaign, user, act)


@login_required
@require_POST
def work_release(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user, campaign = _worker(request, campaign_id)
    record = _record(campaign, request)
    return _work_action(
        request, campaign, user, lambda: services.campaign_release(actor=user, record=record) and ""
    )


@login_required
@require_POST
def work_order(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user, campaign = _worker(request, campaign_id)
    record = _record(campaign, request)
    try:
        order = services.campaign_order_start(actor=user, record=record)
    except (ValidationError, PermissionDenied) as exc:
        context = {
            **_work_context(user, campaign),
            "error": " ".join(getattr(exc, "messages", [str(exc)])),
        }
        return render(request, "campaigns/work.html", context, status=400)
    return redirect("orders:screen", order.pk)


# --- scripts and do-not-call ---------------------------------------------------------------------


@login_required
def scripts(request: HttpRequest) -> HttpResponse:
    user = staff_user_from(request)
    _forbid_unless(user, CAMPAIGN_MANAGERS | SCRIPT_EDITORS)
    return render(
        request,
        "campaigns/scripts.html",
        {"scripts": Script.objects.all(), "may_edit": user_has_role(user, SCRIPT_EDITORS)},
    )


@login_required
def script_edit(request: HttpRequest, script_id: int | None = None) -> HttpResponse:
    """The head of sales writes the script as text; it is checked and saved as steps."""
    user = staff_user_from(request)
    _forbid_unless(user, SCRIPT_EDITORS)
    script = get_object_or_404(Script, pk=script_id) if script_id else None
    errors: dict[str, list[str]] = {}
    name = script.name if script else ""
    source = script.source if script else ""
    if request.method == "POST":
        name, source = request.POST.get("name", ""), request.POST.get("source", "")
        try:
            script = services.script_save(actor=user, name=name, source=source, script=script)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Script saved."))
            return redirect("campaigns:script", script.pk)
    return render(
        request,
        "campaigns/script_edit.html",
        {"script": script, "name": name, "source": source, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
def dnc_list(request: HttpRequest) -> HttpResponse:
    user = staff_user_from(request)
    _forbid_unless(user, DNC_EDITORS)
    error = ""
    if request.method == "POST" and not is_confirmed(request):
        # nobody's number goes on the list from a stray click: the card's and the callbacks'
        # buttons ask in the browser; without JavaScript this page asks
        refused = request.POST.get("number", "")
        if request.POST.get("client"):
            refused = str(get_object_or_404(Client, pk=request.POST["client"]))
        return confirmation_page(
            request,
            question=_("Put %(number)s on the do-not-call list?")
            % {"number": format_phone(refused) if refused.startswith("+") else refused},
            detail=_("Nobody will be able to call it any more, from any list or screen."),
            confirm_label=_("Yes, never call"),
            cancel_url=reverse("campaigns:dnc"),
        )
    if request.method == "POST":
        try:
            if request.POST.get("client"):
                client = get_object_or_404(Client, pk=request.POST["client"])
                services.client_refuses_calls(
                    actor=user, client=client, reason=request.POST.get("reason", "")
                )
            else:
                services.dnc_add(
                    actor=user,
                    number=request.POST.get("number", ""),
                    reason=request.POST.get("reason", ""),
                )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Added to the do-not-call list."))
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("campaigns:dnc")
            return redirect(target)
    return render(
        request,
        "campaigns/dnc.html",
        {
            "entries": page_of(request, DoNotCall.objects.select_related("client", "created_by")),
            "error": error,
            "may_remove": user_has_role(user, SCRIPT_EDITORS),
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def dnc_remove(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = staff_user_from(request)
    services.dnc_remove(actor=user, entry=get_object_or_404(DoNotCall, pk=entry_id))
    return redirect("campaigns:dnc")


# --- public: the hosted page and the embeddable snippet ------------------------------------------


def _form_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "endpoint": request.build_absolute_uri(reverse("public-callback-requests")),
        "today": timezone.localdate(),
    }


def _visitor_language(request: HttpRequest) -> str:
    """`?lang=` when it names a language we speak (a site's own language switch), else what
    LocaleMiddleware chose from the visitor's browser (Accept-Language)."""
    asked = request.GET.get("lang", "").strip().lower()
    if asked in dict(settings.LANGUAGES):
        return asked
    return translation.get_language() or settings.LANGUAGE_CODE


def _in_visitor_language(request: HttpRequest, template: str, **kwargs: Any) -> HttpResponse:
    language = _visitor_language(request)
    with translation.override(language):
        context = {**_form_context(request), "lang": language}
        response = render(request, template, context, **kwargs)
    response["Content-Language"] = language
    # Without `?lang=` the words follow Accept-Language: caches keep one copy per language.
    patch_vary_headers(response, ("Accept-Language",))
    return response


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # any site of the center's may frame the public form
def call_me_back(request: HttpRequest) -> HttpResponse:
    """The hosted "call me back" page (no login; sites may link to it or frame it)."""
    return _in_visitor_language(request, "campaigns/call_me_back.html")


@cache_control(public=True, max_age=3600)
def embed_js(request: HttpRequest) -> HttpResponse:
    """The snippet a site pastes: `<script src=".../campaigns/embed.js" data-target="#id">`;
    `?lang=ru` pins its language (a separate URL, so cached apart)."""
    response = _in_visitor_language(
        request, "campaigns/embed.js", content_type="application/javascript; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"  # a public script, no cookies involved
    return response
