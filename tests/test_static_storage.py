"""Issue 23: the static files' storage works out each hashed URL once per process."""

import json

import pytest
from django.test import override_settings

from branchlife.storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "paths": {"css/site.css": "css/site.0123456789ab.css"}, "hash": "x"})
    )
    with override_settings(DEBUG=False, STATIC_URL="/static/"):
        yield StaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_the_hashed_url_comes_from_the_manifest_and_is_worked_out_once(storage, monkeypatch):
    calls = []
    real = storage.stored_name
    monkeypatch.setattr(storage, "stored_name", lambda name: calls.append(name) or real(name))
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"
    assert storage.url("css/site.css") == "/static/css/site.0123456789ab.css"
    assert calls == ["css/site.css"]


def test_a_name_missing_from_the_manifest_is_refused_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
    assert storage._urls == {}


def test_debug_and_force_are_not_remembered(storage):
    with override_settings(DEBUG=True):
        assert storage.url("css/site.css") == "/static/css/site.css"
    assert storage.url("css/site.css", force=True) == "/static/css/site.0123456789ab.css"
    assert storage._urls == {}


def test_it_keeps_a_bounded_number_of_urls(storage, monkeypatch):
    monkeypatch.setattr(StaticFilesStorage, "KEEP", 1)
    monkeypatch.setattr(storage, "stored_name", lambda name: name)
    storage.url("a.css")
    storage.url("b.css")
    assert list(storage._urls) == ["a.css"] and storage.url("b.css") == "/static/b.css"
