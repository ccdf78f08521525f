# The Clusterwork API (`clusterwork serve`), installed as a package.
# docker-compose.yml builds it; on its own: docker build -t clusterwork .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
COPY domain ./domain
COPY services ./services
COPY graphql_api ./graphql_api
COPY infra ./infra
RUN pip install --require-hashes -r requirements.lock \
    && pip install --no-deps . \
    && useradd --system --home-dir /data clusterwork \
    && mkdir -p /data /keys \
    && chown clusterwork /data /keys

USER clusterwork
ENV CLUSTERWORK_DATA_DIR=/data \
    CLUSTERWORK_HOST=0.0.0.0 \
    CLUSTERWORK_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
CMD ["clusterwork", "serve", "--host", "0.0.0.0", "--port", "8000"]
