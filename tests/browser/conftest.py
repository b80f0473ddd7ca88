"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

Screenshots of each journey's key pages go to $SCREENSHOT_DIR (scripts/test.sh sets it to
test-artifacts/screenshots/).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import CHROMIUM_ARGS  # noqa: F401  (kept importable for journeys)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
# What Chromium's console says when the Content-Security-Policy blocks something.
CSP_MARKS = ("Content Security Policy", "Refused to")
SCREENSHOT_DIR = Path(os.getenv("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def celery_eager(settings, tmp_path):
    """Background jobs (print jobs) run inside the request, as a worker would run them; their files go to a
    temporary MEDIA_ROOT. Without this the jobs would wait for a worker the test does not start."""
    from branchlife.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def pdf_text(path_or_bytes) -> str:
    """The text of a PDF, whitespace removed (CJK lines wrap anywhere): pdftotext, else pdfminer.six."""
    if isinstance(path_or_bytes, bytes):
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as fh:
            fh.write(path_or_bytes)
        path = fh.name
    else:
        path = path_or_bytes
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True).stdout
    else:
        from pdfminer.high_level import extract_text

        text = extract_text(str(path))
    return re.sub(r"\s+", "", text)


@pytest.fixture
def demo_live(transactional_db, live_server):
    from django.core.cache import cache
    from django.core.management import call_command

    # Throttles (login, public link) and cached dashboard figures must not leak from one journey to the next.
    cache.clear()
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    return live_server


def _current_code(device) -> str:
    """The code of the current 30-second step, once the device has not accepted it yet (a second login within
    the same step waits for the next one: each code is accepted once)."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    while int(time.time()) // device.step <= device.last_t:
        time.sleep(0.5)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


class Journey:
    """One person's browser session: log in, visit, screenshot, and check accessibility basics."""

    def __init__(self, browser, base_url: str, name: str, viewport: dict):
        self.base_url = base_url
        self.name = name
        self.context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.shots = 0
        for old in SCREENSHOT_DIR.glob(f"{name}-[0-9][0-9]-*.png"):
            old.unlink()  # this journey's shots from an earlier run: a renamed step must not leave a stale one
        # JavaScript errors on any page fail the journey (at the next screenshot): a broken script
        # leaves a page that looks fine in HTML but does not work (autosave, counters, charts).
        self.js_errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.js_errors.append(f"{self.page.url}: {exc}"))
        self.page.on(
            "console",
            # A page answered 400/410 on purpose logs "Failed to load resource"; sub-resources are checked below.
            lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource")
            and self.js_errors.append(f"{self.page.url}: console: {msg.text}"),
        )
        # Content-Security-Policy violations fail it too, whatever level Chromium logs them at: the policy
        # (branchlife/settings.py) refuses inline script and style, so a page that still has some silently
        # lacks it. Checked at each screenshot and when the journey ends.
        self.csp_violations: list[str] = []
        self.page.on(
            "console",
            lambda msg: any(mark in msg.text for mark in CSP_MARKS)
            and self.csp_violations.append(f"{self.page.url}: {msg.type}: {msg.text}"),
        )
        self.page.on(
            "response",
            lambda r: r.status >= 400 and r.request.resource_type in ("script", "stylesheet", "image", "font")
            and not r.url.endswith("/favicon.ico") and self.js_errors.append(f"{self.page.url}: {r.status} {r.url}"),
        )

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        self.page.goto(self.url(path))
        return self.page

    def login(self, username: str, password: str = "branchlife-demo"):
        self.goto("/accounts/login/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, f"{username} could not log in"
        self.complete_two_factor(username)

    def complete_two_factor(self, username: str):
        """An officer (the demo's `county`, whose authenticator seed_demo sets up) is asked for a code after
        the password; one who has none yet is asked to set one up. Types the code an authenticator app would
        show, computed from the device's key."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        page = self.page
        if "/accounts/2fa/enrol/" in page.url:
            start = page.get_by_role("button", name="开始设置")
            if start.count():
                start.click()
                page.wait_for_load_state()
            device = TOTPDevice.objects.filter(user__username=username, confirmed=False).latest("id")
            page.get_by_label("6 位验证码").fill(_current_code(device))
            page.get_by_role("button", name="确认并开启").click()
            page.wait_for_load_state()
            page.get_by_role("link", name="我已保存，继续").click()
            page.wait_for_load_state()
        elif "/accounts/2fa/verify/" in page.url:
            device = TOTPDevice.objects.get(user__username=username, confirmed=True)
            page.get_by_label("6 位验证码").fill(_current_code(device))
            page.get_by_role("button", name="验证", exact=True).click()
            page.wait_for_load_state()
        assert "/accounts/2fa/" not in page.url, f"{username} did not get past two-factor: {page.url}"

    def screenshot(self, label: str):
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        safe = re.sub(r"[^\w\-]+", "-", label)
        self.page.screenshot(path=str(SCREENSHOT_DIR / f"{self.name}-{self.shots:02d}-{safe}.png"), full_page=True)
        assert self.csp_violations == [], self.csp_violations
        assert self.js_errors == [], self.js_errors

    def check_accessibility(self):
        """Every visible form field has a label, the page has a title, and buttons take keyboard focus."""
        problems = self.page.evaluate(
            """() => {
              const out = [];
              if (!document.title.trim()) out.push('page has no title');
              const fields = document.querySelectorAll('input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea');
              for (const el of fields) {
                if (el.offsetParent === null && el.type !== 'radio' && el.type !== 'checkbox') continue;
                const labelled = (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`))
                  || el.closest('label') || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')
                  || el.getAttribute('title');
                if (!labelled) out.push('unlabelled field: ' + (el.name || el.id || el.outerHTML.slice(0, 80)));
              }
              for (const b of document.querySelectorAll('button, a.btn, [role=button]')) {
                if (b.offsetParent === null) continue;
                if (b.tabIndex < 0 || b.hasAttribute('disabled') && b.tagName !== 'BUTTON') out.push('button not focusable: ' + b.textContent.trim().slice(0, 40));
                if (!b.textContent.trim() && !b.getAttribute('aria-label') && !b.getAttribute('title')) out.push('button without a name: ' + b.outerHTML.slice(0, 80));
              }
              return out;
            }"""
        )
        assert problems == [], f"{self.page.url}: {problems}"

    def nav(self, name: str):
        """Follows a link of the top navigation, opening the collapsed menu first on a phone."""
        page = self.page
        toggler = page.get_by_role("button", name="展开导航")
        link = page.locator("#nav").get_by_role("link", name=name, exact=True)
        # Wait until the page shows one of them: a bare is_visible() read while a page was still settling
        # once saw the phone's toggler on a laptop, then waited 15 s for it (CI, clock at 23:30).
        expect(link.or_(toggler).first).to_be_visible()
        # Bootstrap's collapse answers the toggler only once its script has run: a click while the page was
        # still loading did nothing and the link stayed hidden (CI, calendar-shift pass, clock at 15:30).
        page.wait_for_load_state("load")
        for _ in range(3):
            if link.is_visible():
                break
            if toggler.get_attribute("aria-expanded") != "true":
                toggler.click()
            try:
                expect(link).to_be_visible(timeout=3000)
            except AssertionError:
                continue
        link.click()
        page.wait_for_load_state()
        return page

    def fetch(self, link) -> tuple[str, bytes]:
        """What a link opens in the browser's own viewer (an inline PDF), fetched with this session's cookies:
        headless Chromium shows inline PDFs instead of downloading them."""
        href = link.get_attribute("href")
        response = self.page.request.get(href if href.startswith("http") else self.url(href))
        assert response.ok, f"{href}: {response.status}"
        return response.headers.get("content-type", ""), response.body()

    def accept_dialogs(self):
        """Answers every confirm() with OK, as a user who means it."""
        self.page.on("dialog", lambda dialog: dialog.accept())

    def wait_until(self, predicate, message: str, timeout_ms: int = 10000):
        """Polls a server-side condition (the database) while the browser works, without a fixed sleep."""
        waited = 0
        while not predicate():
            if waited >= timeout_ms:
                raise AssertionError(message)
            self.page.wait_for_timeout(100)
            waited += 100

    def tab_to(self, name: str, limit: int = 80) -> bool:
        """Presses Tab until the element whose text contains `name` has focus."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            text = self.page.evaluate("() => document.activeElement ? document.activeElement.textContent.trim() : ''")
            if name in (text or ""):
                return True
        return False

    def close(self):
        self.context.close()


@pytest.fixture
def journey(browser, demo_live):
    opened = []

    def _journey(name: str, *, phone: bool = False) -> Journey:
        j = Journey(browser, demo_live.url, name, PHONE if phone else LAPTOP)
        opened.append(j)
        return j

    yield _journey
    violations = [v for j in opened for v in j.csp_violations]
    for j in opened:
        j.close()
    assert violations == [], violations
