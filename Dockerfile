# syntax=docker/dockerfile:1

# --- The PWA (built with Node; the result is static files) -----------------------------------
FROM node:20-bookworm-slim AS pwa
WORKDIR /src/pwa
COPY pwa/package.json pwa/package-lock.json ./
RUN npm ci
COPY pwa/ ./
RUN npm run build

# --- The service ----------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS service
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    COULOIR_DATA_DIR=/data COULOIR_PWA_DIR=/app/pwa/dist COULOIR_ENVIRONMENT=production
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY api/ api/
COPY migrations/ migrations/
COPY alembic.ini ./
# Editable: the CLI finds alembic.ini and migrations/ beside the package.
RUN pip install --no-cache-dir -c requirements.lock -e . \
    && useradd --system --uid 10001 --home-dir /data couloir \
    && mkdir -p /data && chown couloir /data
COPY --from=pwa /src/pwa/dist /app/pwa/dist
USER couloir
VOLUME ["/data"]
EXPOSE 8000
# Readiness, not just liveness: the database answers and its schema is at this image's migrations.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health/ready', timeout=3)"]
# Migrations run at every start (they are idempotent), then uvicorn serves.
CMD ["sh", "-c", "couloir migrate && exec couloir serve --host 0.0.0.0 --port 8000"]
