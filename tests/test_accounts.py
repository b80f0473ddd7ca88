import os
import subprocess
import sys

from django.urls import reverse


def test_it_logs_in_and_out(demo_orgs, client):
    response = client.post(reverse("login"), {"username": "member", "password": "branchlife-demo"})
    assert response.status_code == 302
    assert client.get(reverse("organizations:branch_list")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("organizations:branch_list")).status_code == 302


def test_it_changes_the_password(demo_orgs, login):
    client = login("member")
    response = client.post(
        reverse("password_change"),
        {"old_password": "branchlife-demo", "new_password1": "红旗飘飘-2026", "new_password2": "红旗飘飘-2026"},
    )
    assert response.status_code == 302
    demo_orgs.users["member"].refresh_from_db()
    assert demo_orgs.users["member"].check_password("红旗飘飘-2026")


def test_it_locks_a_username_after_five_failed_logins(demo_orgs, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "secretary", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "secretary", "password": "branchlife-demo"})
    assert response.status_code == 429
    assert "登录已被暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_login_page_speaks_chinese_by_default(db, client):
    page = client.get(reverse("login")).content.decode()
    assert "登录 Branchlife" in page
    assert 'lang="zh-hans"' in page


def test_the_user_can_switch_to_english(demo_orgs, login):
    client = login("secretary")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("organizations:branch_detail", args=[demo_orgs.orgs["office"].pk])).content.decode()
    assert 'lang="en"' in page
    assert "Basic facts" in page


def test_production_settings_pass_the_deploy_check():
    env = {**os.environ, "DEBUG": "False", "SECRET_KEY": "x" * 64 + "-deploy-check-key", "DB": "sqlite"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "False", "DB": "sqlite"}
    env.pop("SECRET_KEY", None)
    proc = subprocess.run([sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env)
    assert proc.returncode != 0
    assert "SECRET_KEY must be set" in proc.stderr


def test_an_english_browser_still_gets_chinese_until_the_user_switches(db, client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("login")).content.decode()
