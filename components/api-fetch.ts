// Browser-side calls to our own API: JSON in and out, problem+json turned into an Error with its detail.
export class ApiRequestError extends Error {
  constructor(readonly status: number, message: string, readonly code?: string) {
    super(message);
  }
}

export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(path, {
    method: init.method ?? "GET",
    headers: init.body === undefined ? undefined : { "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: "same-origin",
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as (T & { detail?: string; code?: string; errors?: { path: string; message: string }[] }) | null;
  if (!res.ok) throw new ApiRequestError(res.status, readableError(res.status, data), data?.code);
  return data as T;
}

/**
 * What to tell the person: the API's details are written for programmers (`Sign in or send Authorization: Bearer`,
 * `Invalid query: query.user_id: ...`), and a page's own call fails with 401 only when its session has ended.
 */
function readableError(status: number, data: { detail?: string; errors?: { path: string; message: string }[] } | null): string {
  if (status === 401) return "Your session has ended. Sign in again, then try once more.";
  if (data?.errors?.length) {
    return data.errors
      .map(({ path, message }) => {
        const field = path.replace(/^(query|body|path)\.?/, "").replaceAll("_", " ");
        return !field || message.replaceAll("_", " ").startsWith(field) ? message : `${field}: ${message}`;
      })
      .join("; ");
  }
  return data?.detail ?? `Request failed (${status})`;
}
