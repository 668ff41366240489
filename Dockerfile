# One image for every app: run it as `node dist/apps/<app>/src/main.js`.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's postinstall applies these (patch-package): kafkajs 2.2.4's idle timer loop, tulios/kafkajs#1556.
COPY patches ./patches
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
# A young generation of 64 MiB semi-spaces instead of 16: a hub answering thousands of requests a
# second allocates ~130 MB/s, and at 16 its scavenges (2–8 ms each, 11 a second) held its event loop
# more than any request did (docs/benchmarks.md, the pull's half-load row). Costs up to ~100 MiB more
# resident memory a process. package.json's start scripts and the bench's hubs pass the same.
ENV NODE_OPTIONS=--max-semi-space-size=64
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 5000
CMD ["node", "dist/apps/standalone/src/main.js"]
