# The app image: Python 3.12 with the front-end assets built from package-lock.json.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY feedback/static/src feedback/static/src
RUN npm run build

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 FEEDBACK_ENV=production
WORKDIR /app
# The PostgreSQL client tools come from the PostgreSQL project's apt repository (PGDG) at the major of
# docker-compose.yml's db image: `feedback backup`/`restore` run pg_dump/pg_restore, and pg_dump refuses
# a server newer than itself (Debian bookworm's own client is 15). Change PG_MAJOR with the db image.
ARG PG_MAJOR=16
# libcairo draws the PNG charts (CairoSVG); DejaVu Sans carries the PDF board report's Unicode text.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc https://www.postgresql.org/media/keys/ACCC4CF8.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
        > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" libcairo2 fonts-dejavu-core \
    && apt-get purge -y --auto-remove curl && rm -rf /var/lib/apt/lists/* \
    && pg_dump --version | grep -q " ${PG_MAJOR}\." && pg_restore --version | grep -q " ${PG_MAJOR}\."
# Dependencies from the hashed lock file only (make lock refreshes it); the project itself without deps,
# so nothing unpinned or unhashed is installed. setuptools (the build backend) is in the lock too
# (requirements/build.in). Editable: the templates and var/ are found beside the code in /app.
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/lock.txt
COPY . .
COPY --from=assets /app/feedback/static/dist feedback/static/dist
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e . && useradd --create-home feedback && mkdir -p var && chown feedback var
USER feedback
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# X-Forwarded-For is believed only from the proxies in FEEDBACK_TRUSTED_PROXIES (none by default), so a
# client cannot pick its own address past the sign-in limits. Behind a reverse proxy set it to the
# proxy's address or range, e.g. FEEDBACK_TRUSTED_PROXIES=172.18.0.0/16 (the compose network); uvicorn's
# --forwarded-allow-ips takes the same list and defaults to it. Never "*".
CMD ["feedback", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
