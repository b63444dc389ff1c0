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
  const data = (await res.json().catch(() => null)) as (T & { detail?: string; code?: string }) | null;
  if (!res.ok) throw new ApiRequestError(res.status, data?.detail ?? `Request failed (${res.status})`, data?.code);
  return data as T;
}
