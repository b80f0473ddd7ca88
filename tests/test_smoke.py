"""Run twice by scripts/test.sh: on PostgreSQL with the suite, then alone on the SQLite default."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.smoke


@pytest.mark.parametrize("username", ["secretary", "member", "county", "anyue", "supervisor"])
def test_every_demo_account_logs_in_and_lands_on_a_page(demo, client, username):
    response = client.post(reverse("login"), {"username": username, "password": "branchlife-demo"}, follow=True)
    assert response.status_code == 200
    assert response.context["user"].username == username
    assert "退出登录" in response.content.decode()

