"""Browser tests: Playwright drives Debian's chromium against pytest-django's live server.

Screenshots of each journey's key pages go to $SCREENSHOT_DIR (scripts/test.sh sets it to
test-artifacts/screenshots/).
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests make between
# browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
SCREENSHOT_DIR = Path(os.getenv("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/install.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def demo_live(transactional_db, live_server):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open(os.devnull, "w"))
    return live_server


class Journey:
    """One person's browser session: log in, visit, screenshot, and check accessibility basics."""

    def __init__(self, browser, base_url: str, name: str, viewport: dict):
        self.base_url = base_url
        self.name = name
        self.context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.shots = 0

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

    def screenshot(self, label: str):
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        safe = re.sub(r"[^\w\-]+", "-", label)
        self.page.screenshot(path=str(SCREENSHOT_DIR / f"{self.name}-{self.shots:02d}-{safe}.png"), full_page=True)

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
    for j in opened:
        j.close()
