"""The Docker image and docker-compose.yml as the tests read them (no Docker engine runs here): what
`COPY . .` copies (.dockerignore), the Dockerfile's ENV, and each service's command, environment and
healthcheck as docker would run them."""

from __future__ import annotations

import os
import re
import shutil
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
IMAGE_ROOT = "/app"  # the Dockerfile's WORKDIR


def dockerignore_patterns(root: Path = ROOT) -> list[str]:
    lines = [line.strip() for line in (root / ".dockerignore").read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def _pattern_regex(pattern: str) -> re.Pattern:
    """Docker's pattern syntax, as far as .dockerignore uses it: `*`, `?` and `**`, relative to the root."""
    out, i = "", 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def ignored_by(patterns: list[str]):
    if any(p.startswith("!") for p in patterns):
        raise ValueError(".dockerignore exceptions (!) are not emulated here")
    regexes = [_pattern_regex(p) for p in patterns]

    def ignored(relative: str) -> bool:
        # A path is left out when it or a folder above it matches.
        parts = relative.split("/")
        return any(r.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1) for r in regexes)

    return ignored


def copy_as_docker_build(source: Path, destination: Path) -> list[str]:
    """`COPY . .`: copies source into destination but what .dockerignore leaves out; returns what it copied."""
    ignored = ignored_by(dockerignore_patterns(source))
    copied = []
    for folder, dirnames, filenames in os.walk(source):
        here = Path(folder).relative_to(source)
        dirnames[:] = sorted(d for d in dirnames if not ignored((here / d).as_posix()))
        (destination / here).mkdir(parents=True, exist_ok=True)
        for name in sorted(filenames):
            relative = (here / name).as_posix()
            if not ignored(relative) and (source / relative).exists():
                shutil.copy2(source / relative, destination / relative)
                copied.append(relative)
    return copied


def dockerfile_env(root: Path = ROOT) -> dict[str, str]:
    env = {}
    for line in (root / "Dockerfile").read_text().splitlines():
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line.split()[1:])
    return env


def dockerfile_collectstatic(root: Path = ROOT) -> str:
    """The Dockerfile's build-time collectstatic, as a shell command."""
    match = re.search(r"(?:\w+=\S+ )*python manage\.py collectstatic[^&\\\n]*", (root / "Dockerfile").read_text())
    assert match, "the Dockerfile collects no static files"
    return match.group(0).strip()


@cache
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def healthcheck_argv(name: str) -> list[str]:
    """The service's healthcheck as docker runs it: CMD as is, CMD-SHELL through /bin/sh -c; `$$` is a `$`."""
    kind, *rest = service(name)["healthcheck"]["test"]
    rest = [part.replace("$$", "$") for part in rest]
    if kind == "CMD-SHELL":
        return ["/bin/sh", "-c", rest[0]]
    assert kind == "CMD", kind
    return rest
