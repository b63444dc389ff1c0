import http from "node:http";
import type { AddressInfo } from "node:net";

// A local stand-in for an OpenAI-compatible chat API. Each request takes the next scripted answer.
export type Scripted = { status?: number; content?: string; raw?: string; delayMs?: number; tokens?: number };

export async function startFakeLlm() {
  const script: Scripted[] = [];
  const requests: { messages: { role: string; content: string }[] }[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
        res.writeHead(404).end();
        return;
      }
      requests.push(JSON.parse(body));
      const next = script.shift() ?? { status: 500, raw: '{"error":{"message":"no scripted answer"}}' };
      const send = () => {
        if (res.destroyed) return;
        const status = next.status ?? 200;
        res.writeHead(status, { "content-type": "application/json", ...(status === 429 ? { "retry-after-ms": "50" } : {}) });
        res.end(
          next.raw ??
            JSON.stringify({
              id: "cmpl-1",
              object: "chat.completion",
              created: 1,
              model: "fake",
              choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: next.content ?? "" } }],
              usage: { prompt_tokens: 100, completion_tokens: (next.tokens ?? 150) - 100, total_tokens: next.tokens ?? 150 },
            }),
        );
      };
      if (next.delayMs) setTimeout(send, next.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    script,
    requests,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export const picksJson = (picks: { title: string; year?: number | null; reason: string }[]) => JSON.stringify({ picks });
