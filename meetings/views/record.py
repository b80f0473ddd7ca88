"""Views of the meeting itself (issue 5): attendance, agenda, the record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from branchlife.forms import without_control_characters
from branchlife.permissions import actor_of
from branchlife.views import apply_validation_error, int_or_none
from organizations.models import Member

from .. import quality, selectors, services
from ..forms.record import AgendaFormSet, AttendanceForm, RecordEntryForm
from ..models import AgendaItem, Attendance, ClaimedProblem, Commitment, Criticism, MeetingComment
from .common import error_messages, error_text, record_meeting


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or "application/json" in request.headers.get("Accept", "")




def _member_of(meeting, value) -> Member | None:
    if value in (None, "", "committee", "other"):
        return None
    pk = int_or_none(value)
    if pk is None:
        raise ValidationError(_("请选择党员。"))
    member = Member.objects.filter(branch_id=meeting.branch_id, pk=pk).first()
    if member is None:
        raise ValidationError(_("请选择本支部党员。"))
    return member


@login_required
def attendance(request, pk):
    """议程与出席: the agenda and who attended. Reading for everyone who may see the meeting; writing
    (POST) for the secretary, recorders and supervisors."""
    perm = "meetings.record_meeting" if request.method == "POST" else "meetings.view_record"
    meeting = record_meeting(request, pk, perm)
    can_record = request.user.has_perm("meetings.record_meeting", meeting)
    room_closed = selectors.record.record_closed_reason(meeting=meeting)
    members = selectors.plan.meeting_members(meeting=meeting)
    form = AttendanceForm(request.POST if request.method == "POST" else None, meeting=meeting, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.record.attendance_save(meeting=meeting, rows=form.rows(), supervisors_present=form.cleaned_data["supervisors_present"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("已保存出席情况。"))
            return redirect("meetings:attendance", pk=meeting.pk)
    # A meeting planned before its agenda was stored shows the default until the first save (GET never writes).
    agenda = selectors.record.agenda(meeting=meeting) or (services.record.agenda_default(meeting=meeting) if can_record and meeting.closed_at is None else [])
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": meeting, "form": form, "summary": selectors.record.attendance_summary(meeting=meeting, members=members),
            "agenda": agenda, "can_record": can_record, "room_closed": room_closed,
            "can_write": can_record and not room_closed,
            "can_open_evaluation": request.user.has_perm("evaluations.create_evaluation", meeting),
        },
        status=400 if form.errors else 200,
    )


@login_required
def agenda_edit(request, pk):
    meeting = record_meeting(request, pk)
    # The stored agenda, or the default (pk empty) that the first save stores: GET never writes.
    items = selectors.record.agenda(meeting=meeting) or services.record.agenda_default(meeting=meeting)
    formset = AgendaFormSet(
        request.POST or None, prefix="agenda",
        initial=[{"pk": a.pk, "title": a.title, "kind": a.kind} for a in items],
    )
    if request.method == "POST" and formset.is_valid():
        rows = sorted(
            (f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")),
            key=lambda d: (d.get("ORDER") or 999),
        )
        try:
            services.record.agenda_save(
                meeting=meeting,
                items=[services.record.AgendaInput(title=d["title"], kind=d["kind"] or AgendaItem.Kind.OTHER, pk=d.get("pk")) for d in rows],
            )
        except ValidationError as exc:
            messages.error(request, error_text(error_messages(exc)))
        else:
            messages.success(request, _("已保存议程。"))
            return redirect("meetings:attendance", pk=meeting.pk)
    return render(request, "meetings/agenda_form.html", {"meeting": meeting, "formset": formset}, status=400 if request.method == "POST" else 200)


@never_cache
@login_required
def record(request, pk):
    """The live record, typed in the meeting room on a laptop (static/js/meetings_record.js)."""
    meeting = record_meeting(request, pk)
    if reason := selectors.record.record_closed_reason(meeting=meeting):
        return render(request, "meetings/room_not_open.html", {"meeting": meeting, "reason": reason})
    members = selectors.plan.meeting_members(meeting=meeting)
    summary = selectors.record.attendance_summary(meeting=meeting, members=members)
    present_ids = {m.pk for m, a in summary.rows if a is None or a.status in Attendance.ATTENDED}
    speakers, rec = selectors.record.speaker_records(meeting=meeting, members=members, with_hints=True)
    # Present members first, in the roll's order; absent ones last (their self-criticism may be sent in writing).
    speakers.sort(key=lambda s: s.member.pk not in present_ids)
    received = {s.member.pk: len(s.received) for s in speakers}
    no_criticism = [s.member for s in speakers if s.member.pk in present_ids and not received[s.member.pk]] if summary.recorded else []
    actor = actor_of(request.user)
    own_supervisor = getattr(request.user, "supervisor", None)
    supervisors = list(meeting.supervisors.all())
    comments = {c.supervisor_id: c for c in rec.supervisor_comments}
    return render(
        request,
        "meetings/record.html",
        {
            "meeting": meeting, "members": members, "speakers": speakers, "rec": rec, "summary": summary,
            "agenda": selectors.record.agenda(meeting=meeting) or services.record.agenda_default(meeting=meeting), "no_criticism": no_criticism,
            "supervisor_rows": [(s, comments.get(s.pk)) for s in supervisors], "own_supervisor": own_supervisor,
            "me": actor.member, "can_close": request.user.has_perm("meetings.close_meeting", meeting),
        },
    )


def _entry_response(request, meeting, kind, entry, hints=()):
    if _wants_json(request):
        html = render_to_string("meetings/_entry.html", {"kind": kind, "e": entry, "meeting": meeting, "hints": hints, "can_edit": True}, request=request)
        return JsonResponse({"ok": True, "kind": kind, "id": entry.pk, "html": html, "hints": [h.as_dict() for h in hints]})
    return redirect(reverse("meetings:record", args=[meeting.pk]) + f"#{kind}-{entry.pk}")


@login_required
@require_POST
def record_entry(request, pk):
    """Append a criticism, a problem claimed on the spot, or a commitment. Idempotent on client_id."""
    meeting = record_meeting(request, pk)
    form = RecordEntryForm(request.POST)
    if not form.is_valid():
        errors = [f"{(form.fields[k].label or '') if k in form.fields else ''}{';'.join(v)}" for k, v in form.errors.items()]
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": error_text(errors)}, status=400)
        messages.error(request, error_text(errors))
        return redirect("meetings:record", pk=meeting.pk)
    d = form.cleaned_data
    hints = []
    services.record.agenda_ensure_default(meeting=meeting)  # a meeting planned before agendas were stored gets it now
    try:
        member = _member_of(meeting, d["member"])
        common = {"meeting": meeting, "client_id": d["client_id"], "agenda_item_id": d["agenda_item"]}
        if d["kind"] == "criticism":
            entry = services.record.criticism_add(
                giver=_member_of(meeting, d["giver"]), giver_label=d["giver_label"], receiver=member, text=d["text"], **common
            )
            hints = selectors.record.criticism_hints(meeting=meeting, text=entry.text, receiver=entry.receiver)
        elif d["kind"] == "claim":
            criticism = Criticism.objects.filter(meeting=meeting, pk=d["criticism"]).first() if d["criticism"] else None
            entry = services.record.claim_add(member=member, text=d["text"], criticism=criticism, **common)
        else:
            entry = services.record.commitment_add(member=member, text=d["text"], due_on=d["due_on"], **common)
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": error_text(error_messages(exc))}, status=400)
        messages.error(request, error_text(error_messages(exc)))
        return redirect("meetings:record", pk=meeting.pk)
    return _entry_response(request, meeting, d["kind"], entry, hints)


ENTRY_MODELS = {"criticism": Criticism, "claim": ClaimedProblem, "commitment": Commitment}


@login_required
@require_POST
def record_entry_delete(request, pk, kind, entry_pk):
    meeting = record_meeting(request, pk)
    model = ENTRY_MODELS.get(kind)
    if model is None:
        raise Http404
    entry = get_object_or_404(model, meeting=meeting, pk=entry_pk)
    try:
        services.record.record_entry_delete(entry=entry)
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": error_text(error_messages(exc))}, status=409)
        raise PermissionDenied from exc
    if _wants_json(request):
        return JsonResponse({"ok": True})
    return redirect("meetings:record", pk=meeting.pk)


@never_cache
@login_required
@require_POST
def record_text(request, pk):
    """Autosave target for the long texts of the record: self-criticism, 讲评, 点评, closing, minutes."""
    meeting = record_meeting(request, pk)
    kind = request.POST.get("kind", "")
    text = without_control_characters(request.POST.get("text", ""))  # no form here to do it (CleanTextMixin)
    hints = []
    try:
        if kind == "self_criticism":
            services.record.self_criticism_save(meeting=meeting, member=_member_of(meeting, request.POST.get("member")) or _no_member(), text=text)
        elif kind == "secretary_comment":
            services.record.comment_save(meeting=meeting, kind=MeetingComment.Kind.SECRETARY, member=_member_of(meeting, request.POST.get("member")), text=text)
        elif kind == "supervisor_comment":
            supervisor = meeting.supervisors.filter(pk=int_or_none(request.POST.get("supervisor")) or 0).first()
            services.record.comment_save(meeting=meeting, kind=MeetingComment.Kind.SUPERVISOR, supervisor=supervisor, text=text)
        elif kind in ("closing_statement", "minutes"):
            services.record.meeting_text_save(meeting=meeting, field=kind, text=text)
            if kind == "closing_statement":
                hints = quality.measure_hints(text)
        else:
            raise ValidationError(_("未知的记录项。"))
    except ValidationError as exc:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": error_text(error_messages(exc))}, status=400)
        messages.error(request, error_text(error_messages(exc)))
        return redirect("meetings:record", pk=meeting.pk)
    if _wants_json(request):
        return JsonResponse(
            {"ok": True, "version": 0, "saved_at": timezone.localtime().strftime("%H:%M:%S"),
             "hints": {"problems": {}, "measures": [h.as_dict() for h in hints], "count": len(hints)}}
        )
    messages.success(request, _("已保存。"))
    return redirect("meetings:record", pk=meeting.pk)


def _no_member():
    raise ValidationError(_("请选择党员。"))
