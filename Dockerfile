# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY src/db/pglite-template-install.mjs src/db/pglite-template-path.mjs ./src/db/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies only, non-root, data on a volume.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall makes the empty embedded database the first start copies (no initdb on the server).
COPY src/db/pglite-template-install.mjs src/db/pglite-template-path.mjs ./src/db/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY flows ./flows
COPY locales ./locales
COPY migrations ./migrations
COPY src/channels/webchat/public ./src/channels/webchat/public
COPY src/inbox/public ./src/inbox/public
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
