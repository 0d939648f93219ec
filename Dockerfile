# syntax=docker/dockerfile:1
# Sluice as one compiled binary in a slim image, run as a non-root user.
#   docker build -t sluice .
#   docker run --rm -p 8000:8000 -e SLUICE_ADMIN_TOKEN=... sluice            # start (default)
#   docker run --rm -e REDIS_URL=redis://redis:6379 sluice worker            # a worker node
#   docker run --rm -p 8000:8000 -e REDIS_URL=... -e SLUICE_ADMIN_TOKEN=... sluice gateway
# See docs/deployment.md (roles, health checks, graceful shutdown) and compose.yaml.

FROM denoland/deno:2.9.6 AS build
WORKDIR /build
COPY . .
# regenerates functions/_manifest.gen.ts, then compiles dist/sluice with explicit permissions
RUN deno task compile

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates curl \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 sluice \
  && useradd --system --uid 10001 --gid sluice --no-create-home --shell /usr/sbin/nologin sluice
WORKDIR /app
COPY --from=build /build/dist/sluice /usr/local/bin/sluice
USER 10001:10001
# The gateway's default port (start, gateway). A worker serves /healthz on SLUICE_METRICS_PORT.
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${SLUICE_METRICS_PORT:-${PORT:-8000}}/healthz" >/dev/null || exit 1
# SIGTERM drains: running jobs get --drain-ms (30 s) to finish, then are handed back.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/sluice"]
CMD ["start"]
