import OpenAI from "openai";
import { z } from "zod";

// Language models behind one small interface: any OpenAI-compatible chat API, or GigaChat. Both SDKs time out and
// retry 429 and 5xx answers with backoff themselves; we set how long and how often.

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };
export type Completion = { text: string; tokens: number };
export interface LlmClient {
  readonly provider: "openai-compatible" | "gigachat";
  readonly model: string;
  complete(messages: ChatMessage[], opts: { maxTokens: number }): Promise<Completion>;
}

const LlmEnvSchema = z.object({
  LLM_PROVIDER: z.enum(["openai", "gigachat"]).optional(),
  LLM_BASE_URL: z.url().optional(),
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_MODEL: z.string().min(1).optional(),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  GIGACHAT_CREDENTIALS: z.string().min(1).optional(),
  GIGACHAT_SCOPE: z.string().min(1).default("GIGACHAT_API_PERS"),
});

export type LlmStatus = { enabled: true; provider: string; model: string } | { enabled: false; reason: string };

function env() {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => (k.startsWith("LLM_") || k.startsWith("GIGACHAT_")) && v !== ""));
  return LlmEnvSchema.parse(clean);
}

export function llmStatus(): LlmStatus {
  const e = env();
  if (e.LLM_PROVIDER === "gigachat") {
    return e.GIGACHAT_CREDENTIALS ? { enabled: true, provider: "gigachat", model: e.LLM_MODEL ?? "GigaChat" } : { enabled: false, reason: "LLM_PROVIDER=gigachat needs GIGACHAT_CREDENTIALS (and GIGACHAT_SCOPE)" };
  }
  if (!e.LLM_BASE_URL || !e.LLM_MODEL) {
    return { enabled: false, reason: "set LLM_BASE_URL, LLM_API_KEY and LLM_MODEL for any OpenAI-compatible API, or LLM_PROVIDER=gigachat with GIGACHAT_CREDENTIALS" };
  }
  return { enabled: true, provider: "openai-compatible", model: e.LLM_MODEL };
}

export async function llmClient(): Promise<LlmClient | null> {
  const status = llmStatus();
  if (!status.enabled) return null;
  const e = env();
  if (status.provider === "gigachat") {
    const { default: GigaChat } = await import("gigachat");
    const client = new GigaChat({ credentials: e.GIGACHAT_CREDENTIALS, scope: e.GIGACHAT_SCOPE, model: status.model, timeout: Math.ceil(e.LLM_TIMEOUT_MS / 1000) });
    return {
      provider: "gigachat",
      model: status.model,
      async complete(messages, opts) {
        let lastError: unknown;
        for (let attempt = 0; attempt <= e.LLM_MAX_RETRIES; attempt++) {
          try {
            const res = await client.chat({ model: status.model, messages, max_tokens: opts.maxTokens, temperature: 0.4 });
            return { text: res.choices[0]?.message.content ?? "", tokens: res.usage?.total_tokens ?? 0 };
          } catch (err) {
            lastError = err;
            const status = (err as { response?: { status?: number } }).response?.status;
            if (status !== undefined && status !== 429 && status < 500) throw err;
            await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
          }
        }
        throw lastError;
      },
    };
  }
  const openai = new OpenAI({ baseURL: e.LLM_BASE_URL, apiKey: e.LLM_API_KEY ?? "none", timeout: e.LLM_TIMEOUT_MS, maxRetries: e.LLM_MAX_RETRIES });
  return {
    provider: "openai-compatible",
    model: status.model,
    async complete(messages, opts) {
      const res = await openai.chat.completions.create({
        model: status.model,
        messages,
        max_tokens: opts.maxTokens,
        temperature: 0.4,
        response_format: { type: "json_object" },
      });
      return { text: res.choices[0]?.message?.content ?? "", tokens: res.usage?.total_tokens ?? 0 };
    },
  };
}
