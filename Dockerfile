# syntax=docker/dockerfile:1
# Build: docker build -t plex-account-graphql .
# Run:   docker run --rm -p 4000:4000 -e PLEX_CLIENT_IDENTIFIER=<stable-uuid> plex-account-graphql
#        (append --mock to run against the built-in plex.tv simulator instead of plex.tv)
ARG NODE_VERSION=24

# Compile the TypeScript sources to dist/ (TypeScript is a dev dependency, so this stage installs everything).
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
RUN npm ci --no-audit --no-fund
COPY src ./src
RUN npm run build

# Production dependencies only.
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json ./
COPY --from=build --chown=root:root /app/dist ./dist
# The persisted-operations manifest (PERSISTED_OPERATIONS=only) is read from here at startup.
COPY --chown=root:root operations/generated/persisted-documents.json ./operations/generated/
# Files stay owned by root and read-only to the service; it runs as the image's unprivileged `node` user.
USER node
EXPOSE 4000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (not npm) so SIGTERM reaches the service's graceful shutdown.
ENTRYPOINT ["node", "dist/main.js"]
