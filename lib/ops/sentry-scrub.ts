import type { Breadcrumb, ErrorEvent } from "@sentry/nextjs";

// What every Sentry event passes through before it leaves the process (server, edge and browser alike):
// credentials in headers, cookies, bodies and query strings never reach Sentry.

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key)$|token|secret|password|session/i;
const SECRET_PARAM = /token|secret|password|passwd|api_key|apikey|^key$|^sig$|signature|credential|code/i;
export const FILTERED = "[Filtered]";

/** A URL or query string with the values of credential-like parameters replaced. */
export function scrubQuery(text: string): string {
  return text.replace(/([?&]?)([^=&?#\s]+)=([^&#\s]*)/g, (whole, sep: string, name: string) =>
    SECRET_PARAM.test(decodeURIComponent(name)) ? `${sep}${name}=${FILTERED}` : whole,
  );
}

function scrubHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? FILTERED : v]));
}

function scrubBreadcrumb(crumb: Breadcrumb): Breadcrumb {
  const url = crumb.data?.url;
  return typeof url === "string" ? { ...crumb, data: { ...crumb.data, url: scrubQuery(url) } } : crumb;
}

export function scrubEvent(event: ErrorEvent): ErrorEvent {
  if (event.request) {
    const { cookies: _cookies, data: _data, ...request } = event.request;
    if (request.headers) request.headers = scrubHeaders(request.headers);
    if (request.url) request.url = scrubQuery(request.url);
    if (typeof request.query_string === "string") request.query_string = scrubQuery(request.query_string);
    else if (request.query_string) request.query_string = scrubQuery(new URLSearchParams(request.query_string as Record<string, string>).toString());
    event.request = request;
  }
  if (event.breadcrumbs) event.breadcrumbs = event.breadcrumbs.map(scrubBreadcrumb);
  return event;
}

/** Options shared by the server, edge and browser SDKs. */
export function commonSentryOptions(dsn: string) {
  return {
    dsn,
    // No IP addresses, cookies or user details attached automatically.
    sendDefaultPii: false,
    beforeSend: scrubEvent,
    beforeBreadcrumb: scrubBreadcrumb,
  };
}
