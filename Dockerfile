# Wifi Desa: portal and RADIUS server in one image.
#   docker build -t wifidesa .
#   docker run -p 8080:8080 -p 1812:1812/udp -p 1813:1813/udp -v wifidesa:/data wifidesa
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    WIFIDESA_DATA_DIR=/data

WORKDIR /src
COPY pyproject.toml README.md ./
COPY portal ./portal
COPY radius ./radius
COPY templates ./templates
RUN pip install . && rm -rf /src

RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin wifidesa \
    && mkdir -p /data && chown wifidesa:wifidesa /data
USER wifidesa
WORKDIR /data
VOLUME /data

EXPOSE 8080/tcp 1812/udp 1813/udp

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]

# Migrate first (safe to repeat), then serve; exec so gunicorn gets the stop signal.
CMD ["sh", "-c", "wifidesa init-db && exec wifidesa serve --host 0.0.0.0 --port 8080"]
