// next-auth's session cookie, possibly __Secure- prefixed and split into .0, .1... chunks when large.
const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?next-auth\.session-token(?:\.\d+)?=/;

/** Whether a Cookie header carries a next-auth session: most API calls (tokens, the grader, public reads) do not. */
export function carriesSessionCookie(cookieHeader: string | null | undefined): boolean {
  return SESSION_COOKIE.test(cookieHeader ?? "");
}
