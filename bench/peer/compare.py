"""Side by side with a peer: django-survey-and-report under the same no-JavaScript load as ours (issue 17).

It makes a virtualenv of its own in bench/peer/.venv (ignored by git) and installs
django-survey-and-report 1.5.0 and gunicorn there from the package index, the first time only: never
a dependency of this project, never at test time. It writes a minimal Django project (SQLite in WAL
mode, the survey app's URLs), creates a survey of 20 radio and select questions on 4 pages, serves it
with gunicorn (2 sync workers) on a free loopback port, and drives `--concurrency` respondents for
`--duration` seconds through its real HTML forms: GET a page, POST it with its CSRF token, follow the
redirect, with bench/journey.py's respondents and figures (imported, not copied). Then the same load on
our parent survey (`feedback serve`, SQLite), in the same run. It prints questions answered per second
for each (target: ours at least 3 times theirs) and p95 latency (target: ours at most a fifth).

It reports, it does not fail: when the install cannot reach the package index it says so and exits 0.
It exits non-zero only when something broke (a 5xx, a failed request, a server falling over).

    .venv/bin/python bench/peer/compare.py [--duration 60] [--concurrency 100] [--skip-ours]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import venv
from pathlib import Path
from urllib.parse import urljoin, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import journey  # noqa: E402  (bench/journey.py: the respondents, the recorder and the figures)
from journey import Recorder, fill, form_on, questions_in, summary_ms, with_token  # noqa: E402
from tests.walker import _as_dict  # noqa: E402

PEER = "django-survey-and-report==1.5.0"
PEER_VENV = HERE / ".venv"
RESULTS = journey.ROOT / "bench" / "results" / "peer.json"
PAGES, QUESTIONS_A_PAGE = 4, 5  # 20 questions on 4 pages, like the parent survey's sections
CHOICES = "Very satisfied, Satisfied, Neither satisfied nor dissatisfied, Dissatisfied, Very dissatisfied"
DJANGO_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')
TARGET_RATIO, TARGET_P95_SHARE = 3.0, 0.2


# -- the peer's virtualenv and project ------------------------------------------------------------


def peer_python() -> Path | None:
    """bench/peer/.venv's python with the peer installed, installing it the first time; None when
    the package index cannot be reached (the reason is printed)."""
    python = PEER_VENV / "bin" / "python"
    check = [str(python), "-c", "import importlib.metadata as m, gunicorn; assert m.version('django-survey-and-report') == '1.5.0'"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print(f"Installing {PEER} and gunicorn into {PEER_VENV} (first run only) ...", flush=True)
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(PEER_VENV)
        installed = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PEER, "gunicorn"],
                                   capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"bench/peer/compare.py skipped: could not make the peer's virtualenv ({exc})")
        return None
    if installed.returncode != 0 or subprocess.run(check, capture_output=True).returncode != 0:
        last = (installed.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"bench/peer/compare.py skipped: could not install {PEER} from the package index (no network?): {last}")
        return None
    return python


SETTINGS = '''\
from pathlib import Path
SECRET_KEY = "peer-bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "django.contrib.messages", "survey"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "peer_site.urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {
    "context_processors": ["django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
                           "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATABASE_PATH,
                         "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}}}
USE_TZ = True
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LOGIN_URL = "/admin/login/"
# What the survey app reads from settings (its own survey/settings.py defaults)
CHOICES_SEPARATOR = ","
USER_DID_NOT_ANSWER = "Left blank"
DEFAULT_SURVEY_PUBLISHING_DURATION = 7
EXCEL_COMPATIBLE_CSV = False
SURVEY_DEFAULT_PIE_COLOR = "red!50"
TEX_CONFIGURATION_FILE = None
'''

URLS = '''\
from django.urls import include, path
urlpatterns = [path("survey/", include("survey.urls"))]
'''

WSGI = '''\
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
'''

MAKE_SURVEY = f'''\
import datetime, django
django.setup()
from survey.models import Category, Question, Survey
survey = Survey.objects.create(
    name="Joint annual SEND survey for parents and carers", description="Tell us what support has been like.",
    is_published=True, need_logged_user=False, editable_answers=True, display_method=Survey.BY_CATEGORY,
    publish_date=datetime.date(2020, 1, 1), expire_date=datetime.date(2099, 1, 1))
for page in range({PAGES}):
    category = Category.objects.create(name=f"Part {{page + 1}}", survey=survey, order=page)
    for n in range({QUESTIONS_A_PAGE}):
        Question.objects.create(
            text=f"Question {{page * {QUESTIONS_A_PAGE} + n + 1}}: how satisfied are you?", order=page * {QUESTIONS_A_PAGE} + n,
            required=True, category=category, survey=survey, choices={CHOICES!r},
            type=Question.RADIO if n % 2 == 0 else Question.SELECT)
print(survey.id)
'''


def make_project(python: Path, workdir: Path) -> tuple[dict[str, str], int]:
    """The Django project in `workdir`, migrated, with the survey; returns its environment and survey id."""
    site = workdir / "peer_site"
    site.mkdir(parents=True)
    (site / "__init__.py").write_text("")
    (site / "settings.py").write_text(SETTINGS.replace("DATABASE_PATH", repr(str(workdir / "peer.sqlite3"))))
    (site / "urls.py").write_text(URLS)
    (site / "wsgi.py").write_text(WSGI)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE")}
    env.update(PYTHONPATH=str(workdir), DJANGO_SETTINGS_MODULE="peer_site.settings")
    subprocess.run([str(python), "-m", "django", "migrate", "--noinput", "-v", "0"], env=env, cwd=workdir, check=True, timeout=300)
    made = subprocess.run([str(python), "-c", MAKE_SURVEY], env=env, cwd=workdir, check=True, timeout=120, capture_output=True, text=True)
    return env, int(made.stdout.strip().splitlines()[-1])


class Gunicorn(journey.Server):
    """journey.Server's life cycle (health check, stop, log) around gunicorn with 2 sync workers."""

    stop_signal = signal.SIGTERM  # gunicorn's graceful stop

    def __init__(self, python: Path, env: dict[str, str], workdir: Path, port: int, survey_id: int):
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.health_path = f"/survey/{survey_id}/"
        self.log_path = workdir / "gunicorn.log"
        self._log = open(self.log_path, "wb")
        command = [str(python.parent / "gunicorn"), "peer_site.wsgi", "--workers", "2", "--worker-class", "sync",
                   "--bind", f"127.0.0.1:{port}", "--chdir", str(workdir), "--timeout", "60"]
        self.process = subprocess.Popen(command, env=env, cwd=workdir, stdout=self._log, stderr=subprocess.STDOUT)

    def cpu_seconds(self) -> float | None:
        return None  # the work is in gunicorn's worker processes


# -- the peer's respondents -----------------------------------------------------------------------

PEER_PAGE, PEER_SAVE, PEER_DONE = "GET survey page", "POST survey page (page save)", "GET confirmation"


async def peer_journey(client, recorder: Recorder, survey_id: int) -> bool | None:
    """One respondent through the peer's four pages to its confirmation, as journey.journey does ours
    (for journey.drive: True when they finished, None when not)."""
    client.cookies.clear()  # a new respondent: a session and CSRF cookie of their own
    url = f"/survey/{survey_id}/"
    page = await recorder.request(client, "GET", url, 200, kind=PEER_PAGE)
    for _step in range(PAGES + 2):
        if page is None:
            return None
        form, token = form_on(page.text, DJANGO_CSRF)
        if form is None:
            recorder.error(f"GET {urlsplit(url).path}: no form to fill")
            return None
        data = with_token(fill(form), token, "csrfmiddlewaretoken")
        url = urljoin(url, form.action or url)
        posted = await recorder.request(client, "POST", url, 302, kind=PEER_SAVE, data=_as_dict(data))
        if posted is None:
            return None
        recorder.questions_answered += questions_in(data, form)
        url = urljoin(url, posted.headers["location"])
        if "/confirm/" in url:
            return True if await recorder.request(client, "GET", url, 200, kind=PEER_DONE) is not None else None
        page = await recorder.request(client, "GET", url, 200, kind=PEER_PAGE)
    recorder.error(f"a peer journey did not reach the confirmation in {PAGES + 2} pages (last {url})")
    return None


# -- both, and the figures ------------------------------------------------------------------------


def figures(recorder: Recorder, elapsed: float, save_kind: str) -> dict:
    everything = [v for values in recorder.latencies.values() for v in values]
    elapsed = max(elapsed, 1e-9)
    return {
        "elapsed_s": round(elapsed, 1),
        "respondents_completed": recorder.completed,
        "questions_answered": recorder.questions_answered,
        "questions_per_s": round(recorder.questions_answered / elapsed, 1),
        "page_saves_per_s": round(len(recorder.latencies.get(save_kind, [])) / elapsed, 1),
        "requests_per_s": round(len(everything) / elapsed, 1),
        "p95_ms": summary_ms(everything)["p95_ms"],
        "page_save_p95_ms": summary_ms(recorder.latencies.get(save_kind, []))["p95_ms"],
        "errors": recorder.error_count,
        "server_errors": recorder.server_errors,
        "first_errors": recorder.errors[:5],
        "load_average_after": round(os.getloadavg()[0], 2),
    }


def run_peer(python: Path, concurrency: int, duration: float, workdir: Path) -> dict:
    env, survey_id = make_project(python, workdir)
    server = Gunicorn(python, env, workdir, journey.free_port(), survey_id)
    try:
        server.wait_until_healthy()
        warm, _ = asyncio.run(journey.drive(server.base_url, 5, 5, 60.0, survey_id, walk=peer_journey))
        recorder, elapsed = asyncio.run(journey.drive(server.base_url, concurrency, 10**9, duration, survey_id, walk=peer_journey))
        alive = server.process.poll() is None
    finally:
        server.stop()
    result = figures(recorder, elapsed, PEER_SAVE)
    result.update(server="django-survey-and-report 1.5.0, gunicorn 2 sync workers, SQLite WAL", alive=alive,
                  warmup_errors=warm.error_count)
    return result


def run_ours(concurrency: int, duration: float, workdir: Path) -> dict:
    database = workdir / "ours.sqlite3"
    env = journey.environment(f"sqlite:///{database}")
    journey.prepare(env)
    server = journey.Server(env, journey.free_port(), workdir / "ours.log", journey.DEFAULT_WORKERS)
    try:
        server.wait_until_healthy()
        warm, _ = asyncio.run(journey.drive(server.base_url, 5, 5, 60.0))
        recorder, elapsed = asyncio.run(journey.drive(server.base_url, concurrency, 10**9, duration))
        alive = server.process.poll() is None
    finally:
        server.stop()
    result = figures(recorder, elapsed, journey.PAGE_SAVE)
    workers = journey.DEFAULT_WORKERS
    result.update(server=f"feedback serve (uvicorn, {workers} worker{'s' if workers > 1 else ''}, {journey.server_stack()}), SQLite WAL",
                  alive=alive,
                  warmup_errors=warm.error_count)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load on each (default 60)")
    parser.add_argument("--concurrency", type=int, default=journey.TARGET_CONCURRENCY, help="respondents at once (default 100)")
    parser.add_argument("--skip-ours", action="store_true", help="measure the peer only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects, databases and logs")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.concurrency < 1:
        parser.error("--duration and --concurrency must be positive")

    python = peer_python()
    if python is None:
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="feedback-bench-peer-"))
    results: dict = {"concurrency": args.concurrency, "duration_s": args.duration, "cpus": os.cpu_count(),
                     "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    try:
        print(f"Peer: {args.concurrency} concurrent respondents for {args.duration:g} s on django-survey-and-report ...", flush=True)
        results["peer"] = run_peer(python, args.concurrency, args.duration, workdir)
        if not args.skip_ours:
            print(f"Ours: the same load for {args.duration:g} s on the parent survey ...", flush=True)
            results["ours"] = run_ours(args.concurrency, args.duration, workdir)
    except Exception as exc:  # noqa: BLE001 - report what broke, with the server's last words
        print(f"\nPEER BENCHMARK FAILED: {exc}", file=sys.stderr)
        for log in sorted(workdir.glob("*.log")):
            print(f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-20:]), file=sys.stderr)
        return 2
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    peer, ours = results["peer"], results.get("ours")
    if ours:
        results["ratio_questions_per_s"] = round(ours["questions_per_s"] / max(peer["questions_per_s"], 1e-9), 2)
        results["p95_share"] = round(ours["p95_ms"] / max(peer["p95_ms"], 1e-9), 3)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")

    line = "-" * 78
    print(f"\n{line}\nSide by side: {args.concurrency} concurrent no-JavaScript respondents, {args.duration:g} s each, "
          f"{results['cpus']} cores\n{line}")
    for name, r in (("theirs", peer), ("ours", ours)):
        if r is None:
            continue
        print(f"{name:<7} {r['questions_per_s']:>8.1f} questions/s   {r['page_saves_per_s']:>7.1f} page saves/s   "
              f"{r['requests_per_s']:>7.1f} requests/s   p95 {r['p95_ms']:>7.1f} ms (page saves {r['page_save_p95_ms']:.1f} ms)   "
              f"errors {r['errors']}   load {r['load_average_after']:.1f}")
        print(f"        {r['server']}; {r['respondents_completed']} respondents completed")
    if ours:
        print(f"ratio   ours / theirs {results['ratio_questions_per_s']:.2f}x questions/s   target >= {TARGET_RATIO:g}x   "
              f"{journey.verdict(results['ratio_questions_per_s'] >= TARGET_RATIO)}")
        print(f"p95     ours is {results['p95_share']:.3f} of theirs   target <= {TARGET_P95_SHARE:g}   "
              f"{journey.verdict(results['p95_share'] <= TARGET_P95_SHARE)}")
    print(textwrap.fill(
        "Theirs answers 5 questions a page on 4 pages; ours asks one question a page (and a participation and a "
        "consent step), so ours makes more requests for the same answers. The load generator shares this "
        "machine's cores with both servers.", 78, initial_indent="note    ", subsequent_indent="        "))
    print(f"\nResults written to {RESULTS.relative_to(journey.ROOT)}")
    broken = [f"{name}: {r['errors']} failed requests ({r['server_errors']} 5xx): {r['first_errors'][:3]}"
              for name, r in (("theirs", peer), ("ours", ours)) if r and (r["errors"] or r["warmup_errors"] or not r["alive"])]
    if broken:
        print("\nERRORS: " + "; ".join(broken), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
