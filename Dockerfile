# mailpulse: one image for every role (ship, index, api, alerts, run); the command picks the role.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/var/lib/mailpulse
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/alerts/rules.default.yaml ./alerts/rules.default.yaml
COPY --from=build /app/dashboards ./dashboards
# The shipper reads /var/log/mail.log through group adm, as on Debian; it never needs root.
RUN groupadd --system --gid 10001 mailpulse && useradd --system --uid 10001 --gid mailpulse --groups adm --home-dir /var/lib/mailpulse mailpulse \
 && mkdir -p /var/lib/mailpulse && chown mailpulse:mailpulse /var/lib/mailpulse
USER 10001
EXPOSE 8080
ENTRYPOINT ["node", "bin/mailpulse.js"]
CMD ["run"]
