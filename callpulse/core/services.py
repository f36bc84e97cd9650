"""Writes to staff data: teams, absences, mentorships, and the audit log they leave."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callpulse.core.models import (
    Absence,
    AbsenceKind,
    AuditEntry,
    Department,
    Mentorship,
    Notification,
    NotificationKind,
    Team,
    User,
)
from callpulse.core.roles import (
    ABSENCE_EDITORS,
    ORGANISATION_EDITORS,
    TEAM_MANAGERS,
    RoleCode,
    user_has_role,
)
from callpulse.core.selectors import absences_overlapping


def audit_record(
    *, actor: User | None, action: str, target: models.Model, changes: dict[str, Any]
) -> AuditEntry:
    """Leave a line in the audit log; call it inside the service's transaction."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        changes=changes,
    )


def _check_team_size(operators: Sequence[User]) -> None:
    low = settings.CALLPULSE_TEAM_MIN_OPERATORS
    high = settings.CALLPULSE_TEAM_MAX_OPERATORS
    if not low <= len(operators) <= high:
        raise ValidationError(
            {
                "operators": _(
                    "A team has between %(low)d and %(high)d operators; %(count)d given."
                )
                % {"low": low, "high": high, "count": len(operators)}
            }
        )
    not_operators = [str(u) for u in operators if RoleCode.OPERATOR not in u.role_codes]
    if not_operators:
        raise ValidationError(
            {"operators": _("Not operators: %(names)s.") % {"names": ", ".join(not_operators)}}
        )


def _check_not_in_another_team(operators: Sequence[User], team: Team | None) -> None:
    """An operator works in one team; moving them is an explicit act, not a side effect."""
    elsewhere = User.objects.filter(
        pk__in=[u.pk for u in operators], team__isnull=False
    ).select_related("team")
    if team is not None:
        elsewhere = elsewhere.exclude(team=team)
    names = [f"{u} ({u.team})" for u in elsewhere]
    if names:
        raise ValidationError(
            {"operators": _("Already in another team: %(names)s.") % {"names": ", ".join(names)}}
        )


@transaction.atomic
def team_create(
    *,
    name: str,
    supervisor: User,
    operators: Sequence[User],
    department: Department | None = None,
) -> Team:
    """Create a team with its supervisor and operators, within the configured size bounds."""
    if RoleCode.SUPERVISOR not in supervisor.role_codes:
        raise ValidationError(
            {"supervisor": _("%(name)s is not a supervisor.") % {"name": supervisor}}
        )
    _check_team_size(operators)
    _check_not_in_another_team(operators, None)
    team = Team(name=name, supervisor=supervisor, department=department)
    team.full_clean()
    team.save()
    User.objects.filter(pk__in=[u.pk for u in operators]).update(team=team)
    return team


@transaction.atomic
def team_set_operators(*, team: Team, operators: Sequence[User]) -> Team:
    """Replace a team's operators; the team never leaves the configured size bounds."""
    _check_team_size(operators)
    _check_not_in_another_team(operators, team)
    ids = [u.pk for u in operators]
    User.objects.filter(team=team).exclude(pk__in=ids).update(team=None)
    User.objects.filter(pk__in=ids).update(team=team)
    return team


@transaction.atomic
def team_remove_operator(*, team: Team, operator: User) -> Team:
    """Take an operator out of a team, unless the team would fall below its minimum."""
    remaining = list(team.members.exclude(pk=operator.pk).prefetch_related("roles"))
    _check_team_size(remaining)
    User.objects.filter(pk=operator.pk, team=team).update(team=None)
    return team


def team_may_manage(actor: User, team: Team) -> bool:
    """TEAM_MANAGERS, and a supervisor only for the team they supervise; heads for any team."""
    if user_has_role(actor, ORGANISATION_EDITORS):
        return True
    return user_has_role(actor, TEAM_MANAGERS) and team.supervisor_id == actor.pk


def _ensure_team_manager(actor: User, team: Team) -> None:
    if not team_may_manage(actor, team):
        raise PermissionDenied(
            _("Only the team's supervisor, the head of sales or the director manage %(team)s.")
            % {"team": team}
        )


@transaction.atomic
def team_members_set(*, actor: User, team: Team, operators: Sequence[User]) -> Team:
    """A supervisor (or a head) sets who is in the team, within the size bounds; audited."""
    _ensure_team_manager(actor, team)
    before = sorted(team.members.values_list("pk", flat=True))
    team_set_operators(team=team, operators=operators)
    audit_record(
        actor=actor,
        action="team.members",
        target=team,
        changes={"operators": [before, sorted(u.pk for u in operators)]},
    )
    return team


@transaction.atomic
def team_mentor_assign(
    *,
    actor: User,
    team: Team,
    mentor: User,
    trainee: User,
    starts_on: date,
    probation_ends_on: date | None = None,
) -> Mentorship:
    """Pair a trainee of the team with a mentor, by the team's supervisor (or a head)."""
    _ensure_team_manager(actor, team)
    if trainee.team_id != team.pk:
        raise ValidationError(
            {"trainee": _("%(name)s is not in %(team)s.") % {"name": trainee, "team": team}}
        )
    mentorship = mentorship_start(
        mentor=mentor, trainee=trainee, starts_on=starts_on, probation_ends_on=probation_ends_on
    )
    audit_record(
        actor=actor,
        action="mentorship.start",
        target=mentorship,
        changes={"mentor": mentor.pk, "trainee": trainee.pk, "team": team.pk},
    )
    return mentorship


@transaction.atomic
def team_mentorship_end(
    *, actor: User, team: Team, mentorship: Mentorship, ended_on: date
) -> Mentorship:
    """End a mentorship of one of the team's trainees (the probation is over, or a new mentor)."""
    _ensure_team_manager(actor, team)
    if mentorship.trainee.team_id != team.pk:
        raise ValidationError({"mentorship": _("This trainee is not in the team.")})
    if mentorship.ended_on is not None:
        raise ValidationError({"mentorship": _("This mentorship has already ended.")})
    if ended_on < mentorship.starts_on:
        raise ValidationError({"ended_on": _("A mentorship cannot end before it starts.")})
    mentorship.ended_on = ended_on
    mentorship.save(update_fields=["ended_on"])
    audit_record(
        actor=actor,
        action="mentorship.end",
        target=mentorship,
        changes={"ended_on": ended_on.isoformat()},
    )
    return mentorship


def _validate_absence(
    *,
    user: User,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    covered_by: User | None,
    exclude_pk: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if kind not in AbsenceKind.values:
        errors["kind"] = _("Choose one of: %(kinds)s.") % {"kinds": ", ".join(AbsenceKind.values)}
    if ends_at <= starts_at:
        errors["ends_at"] = _("The absence must end after it starts.")
    if covered_by is not None and covered_by.pk == user.pk:
        errors["covered_by"] = _("A colleague cannot cover for themselves.")
    if errors:
        raise ValidationError(errors)
    clash = absences_overlapping(user=user, starts_at=starts_at, ends_at=ends_at)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        other = clash.first()
        assert other is not None
        raise ValidationError(
            {
                "starts_at": _("%(name)s is already away then (%(kind)s, %(start)s – %(end)s).")
                % {
                    "name": user,
                    "kind": other.get_kind_display(),
                    "start": f"{other.starts_at:%Y-%m-%d %H:%M}",
                    "end": f"{other.ends_at:%Y-%m-%d %H:%M}",
                }
            }
        )
    if covered_by is not None:
        cover_clash = absences_overlapping(user=covered_by, starts_at=starts_at, ends_at=ends_at)
        if cover_clash.exists():
            raise ValidationError(
                {"covered_by": _("%(name)s is away during this period too.") % {"name": covered_by}}
            )


def _ensure_absence_editor(actor: User) -> None:
    if not user_has_role(actor, ABSENCE_EDITORS):
        raise PermissionDenied(_("Only supervisors, heads and planners record absences."))


@transaction.atomic
def absence_create(
    *,
    actor: User,
    user: User,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    covered_by: User | None = None,
    note: str = "",
) -> Absence:
    """Record that a colleague is away, and who covers; overlapping absences are refused."""
    _ensure_absence_editor(actor)
    # Lock the person's row so two supervisors cannot record overlapping absences at once.
    User.objects.select_for_update().filter(pk=user.pk).first()
    _validate_absence(
        user=user, kind=kind, starts_at=starts_at, ends_at=ends_at, covered_by=covered_by
    )
    absence = Absence.objects.create(
        user=user,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        covered_by=covered_by,
        note=note,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="absence.create",
        target=absence,
        changes={
            "user": user.pk,
            "kind": kind,
            "from": starts_at.isoformat(),
            "to": ends_at.isoformat(),
        },
    )
    return absence


@transaction.atomic
def absence_update(*, actor: User, absence: Absence, **fields: Any) -> Absence:
    """Change an absence (dates, kind, cover) under the same rules as creating one."""
    _ensure_absence_editor(actor)
    allowed = {"kind", "starts_at", "ends_at", "covered_by", "note"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    User.objects.select_for_update().filter(pk=absence.user_id).first()
    merged = {
        "kind": absence.kind,
        "starts_at": absence.starts_at,
        "ends_at": absence.ends_at,
        "covered_by": absence.covered_by,
        "note": absence.note,
        **fields,
    }
    _validate_absence(
        user=absence.user,
        kind=merged["kind"],
        starts_at=merged["starts_at"],
        ends_at=merged["ends_at"],
        covered_by=merged["covered_by"],
        exclude_pk=absence.pk,
    )
    for name, value in merged.items():
        setattr(absence, name, value)
    absence.save()
    audit_record(
        actor=actor,
        action="absence.update",
        target=absence,
        changes={k: str(v.pk if isinstance(v, models.Model) else v) for k, v in fields.items()},
    )
    return absence


@transaction.atomic
def absence_delete(*, actor: User, absence: Absence) -> None:
    _ensure_absence_editor(actor)
    audit_record(
        actor=actor,
        action="absence.delete",
        target=absence,
        changes={"user": absence.user_id, "kind": absence.kind},
    )
    absence.delete()


@transaction.atomic
def mentorship_start(
    *, mentor: User, trainee: User, starts_on: date, probation_ends_on: date | None = None
) -> Mentorship:
    """Pair a trainee with a mentor for their probation."""
    if RoleCode.MENTOR not in mentor.role_codes:
        raise ValidationError({"mentor": _("%(name)s is not a mentor.") % {"name": mentor}})
    if mentor.pk == trainee.pk:
        raise ValidationError({"trainee": _("A mentor cannot mentor themselves.")})
    if Mentorship.objects.filter(trainee=trainee, ended_on__isnull=True).exists():
        raise ValidationError({"trainee": _("%(name)s already has a mentor.") % {"name": trainee}})
    if probation_ends_on is not None and probation_ends_on < starts_on:
        raise ValidationError({"probation_ends_on": _("Probation cannot end before it starts.")})
    return Mentorship.objects.create(
        mentor=mentor, trainee=trainee, starts_on=starts_on, probation_ends_on=probation_ends_on
    )


def notification_send(
    *,
    recipient: User,
    title: str,
    body: str = "",
    link: str = "",
    email: bool = False,
    kind: str = NotificationKind.MESSAGE,
) -> Notification:
    """Tell a colleague in the app (and by e-mail when asked), once the transaction commits.

    The event on the recipient's channel lets their open screens update the inbox count at once.
    """
    from django.core.mail import send_mail

    from callpulse.core.events import publish_on_commit, user_channel

    notification = Notification.objects.create(
        recipient=recipient, title=title, body=body, link=link, kind=kind
    )
    publish_on_commit(
        user_channel(recipient.pk), {"type": "notification", "id": notification.pk, "kind": kind}
    )
    if email and recipient.email:
        transaction.on_commit(
            lambda: send_mail(
                subject=title,
                message=f"{body}\n\n{link}".strip(),
                from_email=None,
                recipient_list=[recipient.email],
                fail_silently=True,
            )
        )
    return notification


def _publish_inbox_read(user: User) -> None:
    """Other open tabs of the same person drop their unread count too."""
    from callpulse.core.events import publish_on_commit, user_channel

    publish_on_commit(user_channel(user.pk), {"type": "notifications_read"})


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read; nobody marks a colleague's inbox."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied(_("This notification is not yours."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _publish_inbox_read(actor)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    """Mark everything in the actor's inbox read; returns how many were unread."""
    count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        _publish_inbox_read(actor)
    return count


@transaction.atomic
def notifications_settle(*, kind: str, link: str) -> int:
    """A task done by anyone (a manager assigned) is no longer news in the other inboxes."""
    return Notification.objects.filter(kind=kind, link=link, read_at__isnull=True).update(
        read_at=timezone.now()
    )
