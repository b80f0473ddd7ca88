from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rectification import services
from rectification.models import Evidence, evidence_storage

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def upload(name, content, ctype="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=ctype)


def test_it_stores_evidence_under_a_random_private_name(item, member_user, private_media):
    services.item_progress_post(item=item, actor=member_user, note="学习笔记", files=[upload("笔记.png", PNG)])
    ev = Evidence.objects.get()
    assert ev.original_name == "笔记.png" and ev.content_type == "image/png" and ev.size == len(PNG)
    path = Path(ev.file.path)
    assert path.is_file() and str(path).startswith(str(private_media))
    assert "笔记" not in ev.file.name and ev.file.name.endswith(".png")
    with pytest.raises(ValueError):
        evidence_storage.url(ev.file.name)


@pytest.mark.parametrize(
    ("name", "content"),
    [("a.exe", b"MZ" + b"0" * 20), ("a.html", b"<html>"), ("a.png", b"GIF89a" + b"0" * 20), ("a.pdf", b"")],
)
def test_it_rejects_bad_files(item, member_user, name, content):
    with pytest.raises(ValidationError):
        services.item_progress_post(item=item, actor=member_user, note="x", files=[upload(name, content)])
    assert not Evidence.objects.exists() and not item.progress.exists()


def test_it_rejects_files_over_10_mb(item, member_user):
    big = upload("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as exc:
        services.item_progress_post(item=item, actor=member_user, note="x", files=[big])
    assert "10 MB" in str(exc.value)
    assert not Evidence.objects.exists()


def test_it_rejects_more_than_five_files(item, member_user):
    files = [upload(f"{i}.pdf", PDF) for i in range(6)]
    with pytest.raises(ValidationError):
        services.item_progress_post(item=item, actor=member_user, note="x", files=files)
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 200), ("secretary", 200), ("county", 200), ("supervisor", 200), ("anyue", 403)],
)
def test_it_serves_evidence_only_to_those_allowed(item, member_user, login, role, status):
    services.item_progress_post(item=item, actor=member_user, note="x", files=[upload("证明.pdf", PDF)])
    ev = Evidence.objects.get()
    response = login(role).get(reverse("rectification:evidence_download", args=[ev.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"


def test_another_member_of_the_branch_cannot_download(item, member_user, client, demo_orgs):
    from tests.organizations.factories import UserFactory

    services.item_progress_post(item=item, actor=member_user, note="x", files=[upload("证明.pdf", PDF)])
    other = demo_orgs.members["office"]["赵磊"]
    other.user = UserFactory()
    other.save()
    client.force_login(other.user)
    response = client.get(reverse("rectification:evidence_download", args=[Evidence.objects.get().pk]))
    assert response.status_code == 403
