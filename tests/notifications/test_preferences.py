from django.urls import reverse

from notifications.models import NotificationPreference


def test_it_shows_email_on_by_default(demo_orgs, login):
    response = login("member").get(reverse("notifications:preferences"))
    assert response.status_code == 200
    assert response.context["form"].initial["email_enabled"] is True
    assert not NotificationPreference.objects.exists()


def test_it_saves_the_address_and_the_choice(demo_orgs, login):
    response = login("member").post(
        reverse("notifications:preferences"), {"email": "yangli@example.org", "email_enabled": "on"}
    )
    assert response.status_code == 302
    user = demo_orgs.users["member"]
    user.refresh_from_db()
    assert user.email == "yangli@example.org"
    assert NotificationPreference.objects.get(user=user).email_enabled is True


def test_it_turns_email_off(demo_orgs, login):
    response = login("member").post(reverse("notifications:preferences"), {"email": "yangli@example.org"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=demo_orgs.users["member"]).email_enabled is False


def test_it_refuses_email_on_without_an_address_and_keeps_the_input(demo_orgs, login):
    response = login("member").post(reverse("notifications:preferences"), {"email": "", "email_enabled": "on"})
    assert response.status_code == 200
    assert "要接收邮件提醒，请填写电子邮箱" in response.content.decode()
    assert response.context["form"].data["email_enabled"] == "on"
    assert not NotificationPreference.objects.exists()


def test_it_rejects_a_bad_address_with_a_chinese_message(demo_orgs, login):
    response = login("member").post(reverse("notifications:preferences"), {"email": "不是邮箱", "email_enabled": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="不是邮箱"' in page  # the input is kept
    assert "有效" in response.context["form"].errors["email"][0]  # Django's own Chinese message
    assert not NotificationPreference.objects.exists()


def test_it_explains_an_address_too_long_for_the_account(demo_orgs, login):
    # Valid for the form (up to 320 characters) but longer than the user model's 254: a message, not a 500.
    address = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".com"
    response = login("member").post(reverse("notifications:preferences"), {"email": address, "email_enabled": "on"})
    assert response.status_code == 200
    assert "254" in response.context["form"].errors["email"][0]
    assert not NotificationPreference.objects.exists()
