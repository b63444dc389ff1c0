type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[] | undefined>> }) => Promise<Response>;

export type CallResult<T = Record<string, unknown>> = { status: number; headers: Headers; body: T };

/** Calls a route handler the way Next does, with a real Request. */
export async function call<T = Record<string, unknown>>(
  handler: Handler,
  opts: { method?: string; path?: string; token?: string; body?: unknown; rawBody?: string; params?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<CallResult<T>> {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers.set("content-type", "application/json");
  }
  const req = new Request(`http://localhost${opts.path ?? "/api/v1/test"}`, { method: opts.method ?? "GET", headers, body });
  const res = await handler(req, { params: Promise.resolve(opts.params ?? {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
}

export function expectProblem(res: CallResult, status: number, code?: string) {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  if (!res.headers.get("content-type")?.startsWith("application/problem+json")) throw new Error("not problem+json");
  const p = res.body as { status: number; title: string; detail: string; code: string; type: string };
  if (p.status !== status || !p.title || !p.detail || !p.type) throw new Error(`incomplete problem: ${JSON.stringify(p)}`);
  if (code && p.code !== code) throw new Error(`expected code ${code}, got ${p.code}`);
}
