"""The journeys' Content-Security-Policy watch (issue 22 item 6): Chromium enforces the policy the app sends,
the login page passes it, and an inline script or style put into a page is refused and caught."""

import pytest

from tests.browser.conftest import LAPTOP, Journey


@pytest.fixture
def plain_journey(browser, live_server, transactional_db):
    j = Journey(browser, live_server.url, "csp", LAPTOP)
    yield j
    j.close()


def test_the_login_page_passes_the_policy_and_a_violation_is_caught(plain_journey):
    j = plain_journey
    page = j.goto("/accounts/login/")
    page.wait_for_load_state()
    assert "script-src 'self'" in page.evaluate("() => fetch(location.href).then(r => r.headers.get('content-security-policy'))")
    assert j.csp_violations == [] and j.js_errors == []

    page.evaluate(
        """() => {
          const s = document.createElement('script');
          s.textContent = 'window.injected = true';
          document.body.appendChild(s);
          document.body.setAttribute('style', 'background: red');
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected === undefined")
    assert len(j.csp_violations) == 2, j.csp_violations
    assert all("Content Security Policy" in v for v in j.csp_violations)
