import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { GET as openapiRoute } from "../app/api/v1/openapi.json/route";
import { OPERATIONS } from "../lib/api/openapi";
import * as unknownRoute from "../app/api/v1/[...path]/route";
import { call, expectProblem } from "./support/http";

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? routeFiles(path.join(dir, e.name)) : e.name === "route.ts" ? [path.join(dir, e.name)] : []));
}

const root = path.resolve("app/api/v1");
// [...path] answers 404 for addresses no route matches: not an endpoint of its own.
const implemented = routeFiles(root).filter((file) => !file.includes("[...")).flatMap((file) => {
  const route = "/" + path.relative(root, path.dirname(file)).split(path.sep).join("/").replace(/\[([^\]]+)\]/g, "{$1}");
  const methods = [...readFileSync(file, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1].toLowerCase());
  return methods.map((m) => `${m} ${route === "/" ? "" : route}`);
});

describe("the OpenAPI document", () => {
  it("lists exactly the routes that exist", () => {
    const documented = OPERATIONS.map((o) => `${o.method} ${o.path}`);
    expect([...documented].sort()).toEqual([...implemented].sort());
  });

  it("answers an unknown /api/v1 address with a problem+json 404, whatever the method", async () => {
    for (const method of ["GET", "POST", "DELETE"]) {
      const res = await call(unknownRoute[method as "GET"], { method, path: "/api/v1/no/such/thing" });
      expectProblem(res, 404, "not_found");
      expect((res.body as { detail: string }).detail).toContain(`${method} /api/v1/no/such/thing`);
    }
  });

  it("is served at /api/v1/openapi.json as OpenAPI 3.1 with the legacy endpoints tagged", async () => {
    const res = await call<{ openapi: string; paths: Record<string, Record<string, { tags: string[]; responses: Record<string, unknown> }>> }>(openapiRoute);
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    for (const legacy of ["/healthcheck", "/ping", "/cleanup", "/add_items", "/interact", "/recs/{user_id}", "/rates/{uid}", "/user/profile/{uid}", "/launch", "/get_result"]) {
      for (const op of Object.values(res.body.paths[legacy])) expect(op.tags).toEqual(["legacy"]);
    }
    const recs = res.body.paths["/users/{id}/recommendations"].get as unknown as { parameters: { name: string; in: string }[] };
    expect(recs.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(["path:id", "query:limit", "query:cursor", "query:genre", "query:kind"]));
    const events = res.body.paths["/events"].post as unknown as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(events.requestBody.content)).toEqual(["application/json"]);
  });
});
