export const FAN: string;
export const API_KEY: string;
export function startFakeLastfm(opts?: { scrobbles?: number; failures?: Record<string, number[]>; port?: number; delayMs?: number }): Promise<{
  url: string;
  state: { history: { artist: string; track: string; uts: number }[]; requests: Record<string, string>[]; failures: Map<string, number[]>; delayMs: number };
  addScrobbles(n: number): void;
  close(): Promise<void>;
}>;
