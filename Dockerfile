FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=False
# Pango for WeasyPrint; Noto Sans CJK for Chinese glyphs in the PDFs.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk gettext curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir . 2>/dev/null || true
COPY . .
RUN pip install --no-cache-dir . && chmod +x scripts/proc \
 && SECRET_KEY=build-only-collectstatic python manage.py collectstatic --noinput -v0
RUN useradd --create-home branchlife && mkdir -p /app/media && chown branchlife /app/media
USER branchlife
EXPOSE 8000
CMD ["scripts/proc", "web"]
