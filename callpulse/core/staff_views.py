"""Staff screens for supervisors and heads: absences and cover, teams and mentors (#14, item 5).

Thin views: the forms parse, `core.services` decides (who may, overlaps, cover) and writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from callpulse.core import services
from callpulse.core.confirm import confirmation_page, is_confirmed
from callpulse.core.forms import AbsenceForm, MentorForm, TeamOperatorsForm
from callpulse.core.models import Absence, Mentorship, Team, User
from callpulse.core.permissions import staff_user_from
from callpulse.core.roles import ABSENCE_EDITORS, TEAM_MANAGERS, user_has_role
from callpulse.core.selectors import absences_not_over, team_mentorships

ABSENCES_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def absences(request: HttpRequest) -> HttpResponse:
    """Absences now and to come, and the form that records one with its cover."""
    user = staff_user_from(request)
    if not user_has_role(user, ABSENCE_EDITORS):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = AbsenceForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                absence = services.absence_create(
                    actor=user,
                    user=data["user"],
                    kind=data["kind"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    covered_by=data["covered_by"],
                    note=data["note"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("%(name)s's absence is recorded.") % {"name": absence.user},
                )
                return redirect("absences")
        status = 400
    else:
        form = AbsenceForm()
    page = Paginator(absences_not_over(at=timezone.now()), ABSENCES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "may_manage_teams": user_has_role(user, TEAM_MANAGERS)}
    return render(request, "core/absences.html", context, status=status)


@login_required
@require_POST
def absence_delete(request: HttpRequest, absence_id: int) -> HttpResponse:
    """Take an absence back (asks first); the service checks the rule again."""
    user = staff_user_from(request)
    if not user_has_role(user, ABSENCE_EDITORS):
        raise PermissionDenied
    absence = get_object_or_404(Absence.objects.select_related("user"), pk=absence_id)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            question=_("Delete %(name)s's absence?") % {"name": absence.user},
            confirm_label=_("Delete"),
            cancel_url=reverse("absences"),
        )
    services.absence_delete(actor=user, absence=absence)
    messages.success(request, _("Absence deleted."))
    return redirect("absences")


# --- teams: members and mentors -----------------------------------------------------------------


def _managed_team(request: HttpRequest, team_id: int) -> tuple[User, Team]:
    """The team, if the signed-in user manages it (a supervisor theirs, heads any); else 403."""
    user = staff_user_from(request)
    team = get_object_or_404(Team.objects.select_related("supervisor", "department"), pk=team_id)
    if not services.team_may_manage(user, team):
        raise PermissionDenied
    return user, team


@login_required
def teams(request: HttpRequest) -> HttpResponse:
    """The teams the user manages: a supervisor's own, every team for the heads."""
    user = staff_user_from(request)
    if not user_has_role(user, TEAM_MANAGERS):
        raise PermissionDenied
    shown = [
        team
        for team in Team.objects.select_related("supervisor", "department").prefetch_related(
            "members"
        )
        if services.team_may_manage(user, team)
    ]
    return render(request, "core/teams.html", {"teams": shown})


def _team_page(
    request: HttpRequest,
    team: Team,
    *,
    operators_form: TeamOperatorsForm | None = None,
    mentor_form: MentorForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "team": team,
        "operators_form": operators_form or TeamOperatorsForm(team=team),
        "mentor_form": mentor_form
        or MentorForm(team=team, initial={"starts_on": timezone.localdate()}),
        "mentorships": team_mentorships(team),
    }
    return render(request, "core/team.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, team_id: int) -> HttpResponse:
    """One team: tick its operators (the size bounds hold), its trainees and their mentors."""
    user, team = _managed_team(request, team_id)
    if request.method == "GET":
        return _team_page(request, team)
    form = TeamOperatorsForm(request.POST, team=team)
    if form.is_valid():
        try:
            services.team_members_set(
                actor=user, team=team, operators=list(form.cleaned_data["operators"])
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The team's operators are saved."))
            return redirect("team", team_id=team.pk)
    return _team_page(request, team, operators_form=form, status=400)


@login_required
@require_POST
def team_mentor(request: HttpRequest, team_id: int) -> HttpResponse:
    """Pair a trainee of the team with a mentor."""
    user, team = _managed_team(request, team_id)
    form = MentorForm(request.POST, team=team)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.team_mentor_assign(
                actor=user,
                team=team,
                mentor=data["mentor"],
                trainee=data["trainee"],
                starts_on=data["starts_on"],
                probation_ends_on=data["probation_ends_on"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(mentor)s now mentors %(trainee)s.")
                % {"mentor": data["mentor"], "trainee": data["trainee"]},
            )
            return redirect("team", team_id=team.pk)
    return _team_page(request, team, mentor_form=form, status=400)


@login_required
@require_POST
def team_mentorship_end(request: HttpRequest, team_id: int, mentorship_id: int) -> HttpResponse:
    """End a trainee's mentorship today (asks first)."""
    user, team = _managed_team(request, team_id)
    mentorship = get_object_or_404(
        Mentorship.objects.select_related("mentor", "trainee"), pk=mentorship_id
    )
    if not is_confirmed(request):
        return confirmation_page(
            request,
            question=_("End %(mentorship)s?") % {"mentorship": mentorship},
            confirm_label=_("End the mentorship"),
            cancel_url=reverse("team", kwargs={"team_id": team.pk}),
        )
    try:
        services.team_mentorship_end(
            actor=user, team=team, mentorship=mentorship, ended_on=timezone.localdate()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The mentorship has ended."))
    return redirect("team", team_id=team.pk)
