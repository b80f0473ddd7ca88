"""The anonymous routes (public opinion, a member's opinion, the ballot, the receipt check) keep their POST
out of Django's error reports and logs, and are the routes the access log strips (issue 25)."""

import pytest
from django.urls import reverse

from branchlife.gunicorn import is_anonymous_route

ROUTES = [
    ("meetings:public_opinion", ["no-such-token"]),
    ("meetings:opinion_new", [1]),
    ("evaluations:vote", [1]),
    ("evaluations:receipt_check", []),
]


@pytest.mark.parametrize("name, args", ROUTES)
def test_it_hides_the_post_of_an_anonymous_route_from_error_reports(name, args, client, db):
    response = client.post(reverse(name, args=args), {"text": "匿名意见内容", "receipt": "ABCD"})
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


@pytest.mark.parametrize("name, args", ROUTES)
def test_the_access_log_knows_every_anonymous_route(name, args):
    assert is_anonymous_route(reverse(name, args=args))


@pytest.mark.parametrize("name, args", [("meetings:opinion_list", [1]), ("login", []), ("evaluations:results", [1])])
def test_other_routes_are_logged_as_usual(name, args):
    assert not is_anonymous_route(reverse(name, args=args))
