# syntax=docker/dockerfile:1
# claimdesk app image. Build: docker build -t claimdesk .   Run with a database: docker compose up
# The app runs its TypeScript sources directly with tsx (a regular dependency); there is no build step.

FROM node:20-bookworm-slim AS base
WORKDIR /app

# Production dependencies only, from the lockfile. esbuild (used by tsx) gets its platform binary
# as an optional dependency, so this works with or without install scripts.
FROM base AS deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# The whole build context (trimmed by .dockerignore); flows/ and adapters/ are created empty when
# the project has none yet, so the COPY --from lines below never fail.
FROM base AS source
COPY . .
RUN mkdir -p flows adapters

FROM base AS runtime
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY --from=source /app/src ./src
COPY --from=source /app/flows ./flows
COPY --from=source /app/adapters ./adapters
COPY --from=source /app/config ./config
# The code stays root-owned (read-only for the app); only the local-database folders are writable.
RUN mkdir -p .data .cache && chown node:node .data .cache
USER node

EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

# node itself is PID 1 and handles SIGTERM (the app stops cleanly on it).
CMD ["node", "--import", "tsx", "src/main.ts"]
