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
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 5000
CMD ["node", "dist/apps/standalone/src/main.js"]
