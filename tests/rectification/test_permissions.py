"""Every URL of the rectification app × every demo role → the expected status.

A member sees and updates their own items; the committee reads the branch's list, ledger and cards; the
secretary manages them; officers read everything under their node; supervisors read their branches.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rectification import services
from rectification.models import Evidence, PrintJob
from tests.test_permissions import row

from .factories import ProblemFactory

READERS = {"secretary": 200, "county": 200, "supervisor": 200}
ITEM_READERS = {**READERS, "member": 200}
GET_REDIRECTS = {"secretary": 302, "member": 302}  # POST-only item actions send a GET back to the item

TABLE = [
    *row("rectification:my_items", None, {"secretary": 200, "member": 200, "anyue": 200}),
    *row("rectification:my_card_pdf", None, {"secretary": 200, "member": 200, "anyue": 404}),
    *row("rectification:ledger", "office", READERS),
    *row("rectification:ledger", "palace", {"anyue": 200}),
    *row("rectification:ledger_export", "office", READERS),
    *row("rectification:ledger_pdf", "office", READERS),
    *row("rectification:item_create", "office", {"secretary": 200}),
    *row("rectification:item_create", "palace", {"anyue": 200}),
    *row("rectification:meeting", "meeting", {"secretary": 302, "member": 302, "county": 302, "supervisor": 302}),
    *row("rectification:problem_list", "meeting", READERS),
    *row("rectification:problem_list_export", "meeting", READERS),
    *row("rectification:problem_list_pdf", "meeting", READERS),
    *row("rectification:cards_pdf", "meeting", READERS),
    *row("rectification:problem_add", "meeting", {"secretary": 200}),
    *row("rectification:problem_merge", "meeting", {"secretary": 200}),
    *row("rectification:problem_edit", "problem", {"secretary": 200}),
    *row("rectification:item_detail", "item", ITEM_READERS),
    *row("rectification:item_edit", "item", {"secretary": 200}),
    *row("rectification:item_progress", "item", GET_REDIRECTS),
    *row("rectification:item_submit", "item", GET_REDIRECTS),
    *row("rectification:item_close", "item", {"secretary": 302}),
    *row("rectification:item_reopen", "item", {"secretary": 302}),
    *row("rectification:item_follow_up", "item", {"secretary": 302}),
    *row("rectification:evidence_download", "evidence", ITEM_READERS),
    *row("rectification:print_job_start", "office", READERS),
    *row("rectification:print_job_start", "gaolan", {"county": 200}),
    *row("rectification:print_job", "job", {"county": 200}),
    *row("rectification:print_job_status", "job", {"county": 200}),
    *row("rectification:print_job_download", "job", {"county": 404}),  # allowed, but not rendered yet
]


@pytest.fixture
def targets(demo_orgs, meeting, item, member_user):
    problem = ProblemFactory(meeting=meeting, member=item.responsible)
    services.item_progress_post(
        item=item, actor=member_user, note="x", files=[SimpleUploadedFile("a.pdf", b"%PDF-1.7 test")]
    )
    job = PrintJob.objects.create(organization=demo_orgs.orgs["gaolan"], requested_by=demo_orgs.users["county"])
    return {
        **demo_orgs.orgs,
        "meeting": meeting,
        "problem": problem,
        "item": item,
        "evidence": Evidence.objects.get(),
        "job": job,
    }


@pytest.mark.parametrize(("url_name", "target", "role", "status"), TABLE)
def test_it_allows_only_the_right_roles(targets, client, login, url_name, target, role, status):
    args = [targets[target].pk] if target else []
    if role:
        login(role)
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == status, (url_name, target, role)


@pytest.mark.parametrize(("role", "status"), [("secretary", 302), ("member", 403), ("county", 403), ("anyue", 403)])
def test_only_the_secretary_unmerges(targets, login, role, status):
    response = login(role).post(reverse("rectification:problem_unmerge", args=[targets["problem"].pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("member", 302), ("secretary", 302), ("county", 403), ("supervisor", 403), ("anyue", 403)]
)
def test_only_the_responsible_member_and_the_secretary_post_progress(targets, login, role, status):
    item = targets["item"]
    before = item.progress.count()
    response = login(role).post(reverse("rectification:item_progress", args=[item.pk]), {"note": "进展"})
    assert response.status_code == status
    assert item.progress.count() == before + (1 if status == 302 else 0)
