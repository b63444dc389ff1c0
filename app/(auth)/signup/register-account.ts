"use server";

import { ApiError } from "@/lib/api/errors";
import { RegisterSchema } from "@/lib/auth/schemas";
import { registerUser } from "@/lib/auth/users";

export type RegisterResult = { ok: true } | { ok: false; fieldErrors: Partial<Record<"email" | "password" | "name" | "form", string>> };

export async function registerAccount(input: { email: string; password: string; name?: string }): Promise<RegisterResult> {
  const parsed = RegisterSchema.safeParse({ ...input, name: input.name?.trim() || undefined });
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
    return { ok: false, fieldErrors };
  }
  try {
    await registerUser(parsed.data);
    return { ok: true };
  } catch (err) {
    if (err instanceof ApiError && err.code === "email_taken") return { ok: false, fieldErrors: { email: err.message } };
    throw err;
  }
}
