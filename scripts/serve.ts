// The production web server (`npm start` runs it after migrations and the build; the Docker image too): Next.js
// serves everything, and the fast lane (lib/http/fast-lane.ts) hands the hot public reads to their own route
// handlers without Next's router in between. On Vercel there is no such server; the same handlers run under Next.
//   node scripts/run.mjs serve [-p PORT] [-H HOST]
import http from "node:http";
import { parseArgs } from "node:util";
import nextEnv from "@next/env";
import next from "next";

const { values } = parseArgs({ options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } } });
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname;
const root = process.cwd();

let server: http.Server | null = null;
let app: ReturnType<typeof next> | null = null;
let closing = false;
const stop = (signal: NodeJS.Signals) => {
  if (closing) return;
  closing = true;
  const code = signal === "SIGTERM" ? 0 : 130;
  if (!server) process.exit(code);
  server.close(() => void (app?.close() ?? Promise.resolve()).finally(() => process.exit(code)));
  server.closeIdleConnections();
  setTimeout(() => process.exit(code), 10_000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

// .env files first, as Next loads them, so the lane's modules read the same settings when they are evaluated below.
nextEnv.loadEnvConfig(root, false);
const [{ fastLane }, { securityHeaders }, routes] = await Promise.all([
  import("../lib/http/fast-lane"),
  import("../lib/http/security-headers.mjs"),
  Promise.all([
    import("../app/api/v1/healthcheck/route").then((m) => ({ path: "/api/v1/healthcheck", GET: m.GET })),
    import("../app/api/v1/rates/[uid]/route").then((m) => ({ path: "/api/v1/rates/[uid]", GET: m.GET })),
    import("../app/api/v1/recs/[user_id]/route").then((m) => ({ path: "/api/v1/recs/[user_id]", GET: m.GET })),
    import("../app/api/v1/users/[id]/ratings/route").then((m) => ({ path: "/api/v1/users/[id]/ratings", GET: m.GET })),
    import("../app/api/v1/users/[id]/profile/route").then((m) => ({ path: "/api/v1/users/[id]/profile", GET: m.GET })),
    import("../app/api/v1/user/profile/[uid]/route").then((m) => ({ path: "/api/v1/user/profile/[uid]", GET: m.GET })),
    import("../app/api/v1/users/[id]/recommendations/route").then((m) => ({ path: "/api/v1/users/[id]/recommendations", GET: m.GET })),
    import("../app/api/v1/items/[id]/similar/route").then((m) => ({ path: "/api/v1/items/[id]/similar", GET: m.GET })),
    import("../app/api/v1/popular/route").then((m) => ({ path: "/api/v1/popular", GET: m.GET })),
  ]),
]);
const lane = fastLane(routes, securityHeaders, `http://localhost:${port}`);

app = next({ dev: false, dir: root, hostname: hostname ?? "localhost", port });
const handle = app.getRequestHandler();
await app.prepare();

server = http.createServer((req, res) => {
  if (lane(req, res)) return;
  handle(req, res).catch((err: unknown) => {
    console.error(err);
    if (!res.headersSent) res.writeHead(500).end();
  });
});
// A port in use or not allowed stops the server (Next's own handlers would only log it and leave it running idle).
server.once("error", (err) => {
  console.error(`[tastebud] cannot listen on ${hostname ?? "*"}:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, hostname, () => console.log(`[tastebud] serving on http://${hostname ?? "localhost"}:${port}`));
