import { expect, test } from "@playwright/test";

// The production server answers these GETs in its fast lane (lib/http/fast-lane.ts), which hands the route handlers a
// LaneRequest (method, url, headers) rather than a Web Request. Each route, through the real server, answers as an
// API route does: JSON or problem+json, with the request id apiRoute adds, and never a 500.
const LANE_PATHS = [
  "/api/v1/healthcheck",
  "/api/v1/rates/1",
  "/api/v1/recs/1",
  "/api/v1/users/1/ratings?limit=5",
  "/api/v1/users/1/profile",
  "/api/v1/user/profile/1",
  "/api/v1/users/1/recommendations?limit=5",
  "/api/v1/items/1/similar?limit=5",
  "/api/v1/popular?limit=5",
];

test("every fast-lane route answers through the lane as an API route", async ({ request }) => {
  for (const path of LANE_PATHS) {
    const res = await request.get(path, { headers: { "x-request-id": `lane-${path}` } });
    expect(res.status(), path).toBeLessThan(500);
    expect(res.headers()["content-type"], path).toMatch(/^application\/(problem\+)?json/);
    expect(res.headers()["x-request-id"], path).toBe(`lane-${path}`);
    expect(await res.json(), path).toBeTruthy();
  }
  // A bad id is the API's 400, not a crash.
  const bad = await request.get("/api/v1/users/0x51/profile");
  expect(bad.status()).toBe(400);
});
