"""The deployment files keep their promises (issue 17, item 5). Docker has no daemon on the build
machines, so these read the Dockerfile, the compose file, the Makefile and the lock files the way an
operator relies on them: every dependency pinned with hashes and installed from the lock only, the
image's pg_dump/pg_restore at the compose database's major, and no silent default for a secret."""

from __future__ import annotations

import re
import tomllib

import pytest

from feedback.settings import PROJECT_ROOT

LOCK = PROJECT_ROOT / "requirements" / "lock.txt"
LOCK_DEV = PROJECT_ROOT / "requirements" / "lock-dev.txt"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(spec: str) -> str:
    return _normalise(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec.strip()).group(0))


def _locked(path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) from a pip-compile --generate-hashes file."""
    entries: dict[str, tuple[str, list[str]]] = {}
    text = path.read_text()
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        first = block.split("\n", 1)[0]
        if first.startswith(("#", "-")) or not first.strip():
            continue
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", first)
        assert match, f"{path.name}: not pinned with ==: {first!r}"
        entries[_normalise(match.group(1))] = (match.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return entries


def _pyproject() -> dict:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


@pytest.mark.parametrize("lock", [LOCK, LOCK_DEV], ids=["image", "dev"])
def test_every_locked_package_is_pinned_with_hashes_and_no_local_index(lock):
    entries = _locked(lock)
    assert len(entries) > 30
    unhashed = [name for name, (_, hashes) in entries.items() if not hashes]
    assert unhashed == []
    text = lock.read_text()
    # A lock that names this machine's package mirrors would not install anywhere else.
    assert "--index-url" not in text and "--extra-index-url" not in text and "--find-links" not in text
    assert "file://" not in text


def test_the_locks_cover_every_declared_dependency_and_the_build_backend():
    project = _pyproject()
    runtime = {_requirement_name(spec) for spec in project["project"]["dependencies"]}
    dev = {_requirement_name(spec) for spec in project["project"]["optional-dependencies"]["dev"]}
    image, development = _locked(LOCK), _locked(LOCK_DEV)
    assert runtime - image.keys() == set()
    assert (runtime | dev) - development.keys() == set()
    # Test tools stay out of the production image.
    assert "pytest" not in image and "playwright" not in image
    # --no-build-isolation needs the build backend installed from the lock, hashed like the rest.
    assert "setuptools" in image and "setuptools" in development
    # The same package is pinned to the same version in both, so tests run what production runs.
    assert {name: image[name][0] for name in image} == {name: development[name][0] for name in image}


def test_the_locks_support_python_3_11_and_later():
    assert _pyproject()["project"]["requires-python"] == ">=3.11"
    for lock in (LOCK, LOCK_DEV):
        assert "with Python 3.11" in lock.read_text(), "compile the lock on the oldest supported Python"
    image_python = re.search(r"^FROM python:(\d+)\.(\d+)", (PROJECT_ROOT / "Dockerfile").read_text(), re.M)
    assert image_python and (int(image_python.group(1)), int(image_python.group(2))) >= (3, 11)


def _run_instructions(dockerfile: str) -> list[str]:
    joined = re.sub(r"\\\n", " ", dockerfile)
    return [line.strip()[4:] for line in joined.splitlines() if line.strip().startswith("RUN ")]


def test_the_image_installs_from_the_lock_with_hashes_and_the_project_without_dependencies():
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert "COPY requirements/lock.txt" in dockerfile
    pip_steps = [step for run in _run_instructions(dockerfile) for step in run.split("&&") if "pip install" in step]
    assert pip_steps, "the image installs nothing with pip"
    for step in pip_steps:
        from_lock = "--require-hashes" in step and "-r requirements/lock.txt" in step
        project_only = "--no-deps" in step and "--no-build-isolation" in step
        assert from_lock or project_only, f"pip step outside the lock: {step.strip()}"
    assert any("--require-hashes" in step for step in pip_steps)
    assert any("--no-deps" in step for step in pip_steps)


def test_make_setup_installs_from_the_dev_lock_and_make_lock_refreshes_both():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    installed = makefile.split("$(VENV)/.installed:", 1)[1].split("\n\n", 1)[0]
    assert "requirements/lock-dev.txt" in installed.split("\n", 1)[0]  # a new lock re-installs
    pip_lines = [line for line in installed.splitlines() if "pip install" in line]
    assert pip_lines
    for line in pip_lines:
        assert ("--require-hashes" in line and "-r requirements/lock-dev.txt" in line) or "--no-deps" in line, line
    lock_target = makefile.split("\nlock:", 1)[1].split("\n\n", 1)[0]
    assert "requirements/lock.txt" in lock_target and "requirements/lock-dev.txt" in lock_target
    assert "--generate-hashes" in makefile and "lock" in makefile.split(".PHONY:", 1)[1].split("\n", 1)[0]


def test_the_image_carries_pg_dump_and_pg_restore_at_the_compose_databases_major():
    compose = (PROJECT_ROOT / "docker-compose.yml").read_text()
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    server_major = re.search(r"image:\s*postgres:(\d+)", compose).group(1)
    assert re.search(rf"^ARG PG_MAJOR={server_major}$", dockerfile, re.M), "pg_dump refuses a newer server"
    installs = " ".join(_run_instructions(dockerfile))
    assert "postgresql-client-${PG_MAJOR}" in installs
    # Debian's own repository has only the bookworm major (15): the client comes from PGDG, key-pinned.
    assert "apt.postgresql.org" in installs and "signed-by=" in installs
    # The build fails rather than ship a client of another major.
    assert 'pg_dump --version | grep -q " ${PG_MAJOR}\\."' in installs
    # These are the programs `feedback backup` and `restore` run.
    backup = (PROJECT_ROOT / "feedback" / "operations" / "backup.py").read_text()
    assert '["pg_dump"' in backup and '["pg_restore"' in backup


def test_compose_refuses_to_start_without_the_database_password_and_the_secret_key():
    compose = (PROJECT_ROOT / "docker-compose.yml").read_text()
    for variable in ("POSTGRES_PASSWORD", "FEEDBACK_SECRET_KEY"):
        uses = re.findall(rf"\$\{{{variable}([^}}]*)\}}", compose)
        assert uses, f"{variable} is not used"
        for use in uses:
            assert use.startswith(":?") and len(use) > 2, f"${{{variable}{use}}} has a silent default or no message"
    assert "change-me" not in compose


def test_the_readme_says_how_to_run_several_processes_behind_a_tls_proxy():
    readme = (PROJECT_ROOT / "README.md").read_text()
    deploying = readme.split("## Deploying", 1)[1]
    for promise in ("--workers", "TLS", "X-Forwarded-For", "X-Forwarded-Proto", "FEEDBACK_TRUSTED_PROXIES",
                    "make lock", "requirements/lock.txt", "pg_dump", "POSTGRES_PASSWORD", "per process"):
        assert promise in deploying, promise
