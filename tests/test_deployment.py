"""No Docker engine runs here: docker-compose.yml is checked as YAML against the Procfile and run.sh."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def procfile() -> dict[str, str]:
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if re.match(r"^\w+:", line)]
    return dict(line.split(":", 1) for line in lines)


def test_compose_has_every_service():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"db", "broker", "web", "worker", "beat"} <= set(compose["services"])
    assert compose["services"]["db"]["image"].startswith("postgres")
    assert compose["services"]["broker"]["image"].startswith("redis")


def test_compose_and_run_script_start_the_same_processes():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    processes = procfile()
    for name in ("web", "worker", "beat", "release"):
        assert name in processes
    for service in ("web", "worker", "beat"):
        assert compose["services"][service]["command"] == ["scripts/proc", service]
        assert f"scripts/proc {service}" in run_sh
    assert compose["services"]["migrate"]["command"] == ["scripts/proc", "release"]
    assert "scripts/proc release" in run_sh
    assert "gunicorn" in processes["web"] and "worker" in processes["worker"] and "beat" in processes["beat"]


def test_the_image_installs_pango_and_a_cjk_font():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "libpango" in dockerfile and "fonts-noto-cjk" in dockerfile


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    ci_lines = {line.strip() for line in ci.splitlines()}
    readme_lines = {line.split("#")[0].strip() for line in readme.splitlines()}
    assert "bash scripts/test.sh" in ci_lines & readme_lines
    assert "bash scripts/run.sh" in readme_lines


def test_the_release_step_collects_static_files_for_production(tmp_path):
    """The Procfile's release step runs collectstatic with the hashed, compressed whitenoise storage."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "False", "SECRET_KEY": "k" * 60, "STATIC_ROOT": str(tmp_path), "DB": "sqlite"}
    proc = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("vendor/bootstrap/bootstrap.min.*.css"))
