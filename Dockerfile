# Emporium's container image.
#
#   docker build -t emporium .            # builds the binary in the first stage (needs the
#                                         # rust and debian images from a registry)
#   docker run -p 8080:8080 -v emporium-data:/app/data \
#     -e EMPORIUM_SECURITY__SESSION_KEY=... -e EMPORIUM_SECURITY__JWT_SECRET=... emporium
#
# With a binary built outside (e.g. `cargo build --release`), skip the Rust stage:
#   docker build --target runtime-prebuilt --build-arg BINARY=target/release/emporium -t emporium .

FROM docker.io/library/rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin emporium \
 && install -D target/release/emporium /out/emporium

FROM scratch AS prebuilt
ARG BINARY=target/release/emporium
COPY ${BINARY} /out/emporium

FROM docker.io/library/debian:bookworm-slim AS runtime-base
# curl answers the health check; ca-certificates lets the store reach an SMTP server over TLS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app --no-create-home emporium \
 && install -d -o emporium -g emporium /app /app/data
WORKDIR /app
# Stylesheets and scripts are read from ./static; templates and migrations are in the binary.
COPY static /app/static
# The store keeps its SQLite database, pictures and outbox under data/ (a volume).
VOLUME /app/data
ENV EMPORIUM_SERVER__HOST=0.0.0.0 \
    EMPORIUM_SERVER__PORT=8080
EXPOSE 8080
USER emporium
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
  CMD curl -fsS "http://127.0.0.1:${EMPORIUM_SERVER__PORT:-8080}/readyz" || exit 1
# SIGTERM stops it gracefully (requests in flight finish).
STOPSIGNAL SIGTERM
CMD ["emporium", "serve"]

FROM runtime-base AS runtime-prebuilt
COPY --from=prebuilt /out/emporium /usr/local/bin/emporium

# The default: the binary from the build stage.
FROM runtime-base AS runtime
COPY --from=build /out/emporium /usr/local/bin/emporium
