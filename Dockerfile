# The bot itself (not the wrapped partner services: those are built by Cloud Build).
FROM node:22-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
# Read by the doctor: the scopes the app asks for, the indexes the queries need.
COPY manifest.json firestore.indexes.json ./
USER node
EXPOSE 8080
ENV PORT=8080
CMD ["node", "--disable-warning=ExperimentalWarning", "src/main.ts"]
