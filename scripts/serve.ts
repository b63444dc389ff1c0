// The production web server (`npm start` runs it after migrations and the build; the Docker image too): Next.js
// serves everything, and the fast lane (lib/http/fast-lane.ts) hands the hot public reads to their own route
// handlers without Next's router in between. On Vercel there is no such server; the same handlers run under Next.
//   node scripts/run.mjs serve [-p PORT] [-H HOST]
import http from "node:http";
import { parseArgs } from "node:util";
import next from "next";
import * as healthcheck from "../app/api/v1/healthcheck/route";
import * as similar from "../app/api/v1/items/[id]/similar/route";
import * as popular from "../app/api/v1/popular/route";
import * as rates from "../app/api/v1/rates/[uid]/route";
import * as recs from "../app/api/v1/recs/[user_id]/route";
import * as legacyProfile from "../app/api/v1/user/profile/[uid]/route";
import * as profile from "../app/api/v1/users/[id]/profile/route";
import * as ratings from "../app/api/v1/users/[id]/ratings/route";
import * as recommendations from "../app/api/v1/users/[id]/recommendations/route";
import { fastLane } from "../lib/http/fast-lane";
import { securityHeaders } from "../lib/http/security-headers.mjs";

const { values } = parseArgs({ options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } } });
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname;

const lane = fastLane(
  [
    { path: "/api/v1/healthcheck", GET: healthcheck.GET },
    { path: "/api/v1/rates/[uid]", GET: rates.GET },
    { path: "/api/v1/recs/[user_id]", GET: recs.GET },
    { path: "/api/v1/users/[id]/ratings", GET: ratings.GET },
    { path: "/api/v1/users/[id]/profile", GET: profile.GET },
    { path: "/api/v1/user/profile/[uid]", GET: legacyProfile.GET },
    { path: "/api/v1/users/[id]/recommendations", GET: recommendations.GET },
    { path: "/api/v1/items/[id]/similar", GET: similar.GET },
    { path: "/api/v1/popular", GET: popular.GET },
  ],
  securityHeaders,
);

const app = next({ dev: false, dir: process.cwd(), hostname: hostname ?? "localhost", port });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  if (lane(req, res)) return;
  handle(req, res).catch((err: unknown) => {
    console.error(err);
    if (!res.headersSent) res.writeHead(500).end();
  });
});
server.listen(port, hostname, () => console.log(`[tastebud] serving on http://${hostname ?? "localhost"}:${port}`));

let closing = false;
const stop = () => {
  if (closing) return;
  closing = true;
  server.close(() => void app.close().finally(() => process.exit(0)));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 10_000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
