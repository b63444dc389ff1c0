# syntax=docker/dockerfile:1
# Tastebud's app image: install, `next build`, then a runtime stage that migrates and serves (`npm start`).

FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
# postinstall runs `prisma generate` into lib/db/generated. The lockfile may lack other platforms' optional packages
# (see .ci/run), so fall back to `npm install`, which installs the same locked versions.
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund

FROM deps AS build
COPY . .
# Only the browser's Sentry DSN is read at build time (next.config.mjs); nothing else is baked into the bundle.
ARG SENTRY_DSN=""
RUN npx next build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000
COPY --from=build --chown=node:node /app ./
# `npm start` rebuilds when sources look newer than the build; mark the build as the newest thing in the image.
RUN touch .next/BUILD_ID && mkdir -p .data && chown node:node .data
USER node
EXPOSE 3000
# What `npm start` runs, without npm in between (npm does not pass SIGTERM on, so `docker stop` would not be graceful).
# scripts/start.ts with DATABASE_URL set: applies the migrations (lib/db/migrate.ts: the same files and
# _prisma_migrations records as `prisma migrate deploy`), loads the demo data on the first run, then
# scripts/serve.ts (Next.js with its fast lane for the hot API reads).
CMD ["node", "--import", "tsx", "scripts/start.ts"]
