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
# libcairo draws the PNG charts (CairoSVG); DejaVu Sans carries the PDF board report's Unicode text.
RUN apt-get update && apt-get install -y --no-install-recommends libcairo2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY . .
COPY --from=assets /app/feedback/static/dist feedback/static/dist
RUN pip install --no-cache-dir -e . && useradd --create-home feedback && mkdir -p var && chown feedback var
USER feedback
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
# X-Forwarded-For is believed only from the proxies in FEEDBACK_TRUSTED_PROXIES (none by default), so a
# client cannot pick its own address past the sign-in limits. Behind a reverse proxy set it to the
# proxy's address or range, e.g. FEEDBACK_TRUSTED_PROXIES=172.18.0.0/16 (the compose network); uvicorn's
# --forwarded-allow-ips takes the same list and defaults to it. Never "*".
CMD ["feedback", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
