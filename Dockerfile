# PIM on Node.js 24 LTS. Build: docker build -t pim .  (see docker-compose.yml)
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY prisma.config.ts ./
# The same install CI runs; postinstall generates the Prisma client (no engine download).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The same build `npm start` runs on a checkout (scripts/build.mjs: tsc to dist/), then only
# the runtime dependencies stay.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
# Memory bounds (docs/configuration.md#memory), as `npm start` sets them; override with docker run -e.
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 NODE_OPTIONS=--max-old-space-size=256
WORKDIR /app
# package.json says "type": "module"; dist/ finds views/, locales/, public/ and the
# migrations one folder up, as src/ does in a checkout.
COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY views ./views
COPY locales ./locales
COPY public ./public
COPY prisma/migrations ./prisma/migrations
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# The staff tool: docker compose exec app node dist/cli/index.js --help
# --heap-growing-percent cannot go in NODE_OPTIONS (docs/configuration.md#memory).
CMD ["node", "--enable-source-maps", "--heap-growing-percent=50", "dist/server.js"]
