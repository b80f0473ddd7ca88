FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 DEBUG=False
# Pango for WeasyPrint; Noto Sans CJK for Chinese glyphs in the PDFs; curl for the web healthcheck;
# pg_dump/pg_restore 15 (the db service's major version) for `manage.py backup` and the nightly backup.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk gettext curl \
    postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Exactly the versions and hashes of requirements.lock (scripts/lock.sh), in a layer only a new lock rebuilds.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
# The code belongs to root and only reads for the app user; .dockerignore keeps .env, secrets/, .venv,
# databases and media out. The static files are collected here, once: the release step only migrates.
COPY . .
RUN pip install --no-cache-dir --no-deps . \
 && chmod +x scripts/proc \
 && SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput -v0
# What the app writes belongs to the app user: uploads (/app/media, a volume), beat's schedule and
# heartbeat (/app/var) and the nightly backups (/app/backups, a volume).
RUN useradd --create-home --uid 1000 branchlife \
 && mkdir -p /app/media /app/var /app/backups \
 && chown branchlife:branchlife /app/media /app/var /app/backups
USER branchlife
EXPOSE 8000
CMD ["scripts/proc", "web"]
