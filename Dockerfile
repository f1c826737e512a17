# syntax=docker/dockerfile:1
# Two images from one file:
#   api    — the HTTP API and ingester (no TensorFlow native code needed)
#   worker — a GPU worker: CUDA 11.8 + cuDNN 8 runtime, which @tensorflow/tfjs-node-gpu 4.22 links against.
# Build context: the repository root.

FROM node:20-bookworm-slim AS api
WORKDIR /app
COPY package.json package-lock.json turbo.json tsconfig.base.json ./
COPY apps ./apps
COPY packages ./packages
COPY tests ./tests
# --omit=optional: the API never trains, so skip the native TF.js packages (and their libtensorflow download).
RUN npm ci --omit=optional --no-audit --no-fund
ENV HOST=0.0.0.0 PORT=8080 DATABASE_PATH=/data/orchestrator.db
VOLUME ["/data"]
EXPOSE 8080
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]

FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04 AS worker
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates curl gnupg python3 make g++ \
  && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \
  && apt-get install -y --no-install-recommends nodejs \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json turbo.json tsconfig.base.json ./
COPY apps ./apps
COPY packages ./packages
COPY tests ./tests
# With network access at build time the optional @tensorflow/tfjs-node-gpu installs (it downloads
# libtensorflow GPU); the explicit install makes a failure loud instead of silently falling back to wasm.
RUN npm ci --no-audit --no-fund \
  && npm install --no-save --no-audit --no-fund -w @sweeplab/models @tensorflow/tfjs-node-gpu@4.22.0
ENV TFJS_BACKEND=auto
CMD ["node", "--import", "tsx", "apps/worker/src/main.ts"]
