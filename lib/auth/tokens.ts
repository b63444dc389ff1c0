import { createHash, randomBytes } from "node:crypto";
import { ApiError } from "../api/errors";
import { decodeCursor, NewestFirstCursor, toPage, type Page } from "../api/pagination";
import { prisma } from "../db/client";
import type { Scope } from "./schemas";
import type { AccountUser } from "./users";

// Tokens look like `tb_<8 prefix chars>_<32 secret chars>`; only their SHA-256 is stored.
const TOKEN_PATTERN = /^tb_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{32}$/;

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export type TokenSummary = {
  id: number;
  name: string;
  prefix: string;
  scopes: Scope[];
  created_at: string;
  last_used_at: string | null;
};

export type TokenPrincipal = { user: AccountUser; scopes: Scope[]; tokenId: number };

export async function createToken(user: AccountUser, name: string, scopes: Scope[]): Promise<{ token: string; summary: TokenSummary }> {
  if (scopes.includes("admin") && user.role !== "admin") {
    throw new ApiError(403, "forbidden", "Only administrators can create tokens with the admin scope");
  }
  const prefix = randomBytes(6).toString("base64url").slice(0, 8);
  const token = `tb_${prefix}_${randomBytes(24).toString("base64url").slice(0, 32)}`;
  const row = await prisma().apiToken.create({
    data: { userId: user.id, name, prefix: `tb_${prefix}`, hash: hashToken(token), scopes: [...new Set(scopes)] },
  });
  return { token, summary: summarize(row) };
}

function summarize(row: { id: number; name: string; prefix: string; scopes: string[]; createdAt: Date; lastUsedAt: Date | null }): TokenSummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes as Scope[],
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
  };
}

/** A person's live tokens, newest first, a page at a time. */
export async function listTokens(userId: number, page: { limit: number; cursor?: string }): Promise<Page<TokenSummary>> {
  const after = decodeCursor(page.cursor, NewestFirstCursor);
  const rows = await prisma().apiToken.findMany({
    where: { userId, revokedAt: null, ...(after ? { OR: [{ createdAt: { lt: new Date(after.t) } }, { createdAt: new Date(after.t), id: { lt: after.i } }] } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
  });
  return toPage(rows, page.limit, summarize, (r) => ({ t: r.createdAt.toISOString(), i: r.id }));
}

export async function revokeToken(userId: number, tokenId: number): Promise<void> {
  const { count } = await prisma().apiToken.updateMany({
    where: { id: tokenId, userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (count === 0) throw new ApiError(404, "not_found", "Token was not found");
}

// last_used_at is written at most once a minute per token, not on every request.
const LAST_USED_RESOLUTION_MS = 60_000;

export async function authenticateToken(token: string): Promise<TokenPrincipal> {
  if (!TOKEN_PATTERN.test(token)) throw new ApiError(401, "invalid_token", "The bearer token is malformed");
  // The primary: a token revoked a moment ago must stop at once, and one just minted must work at once.
  const row = await prisma().$primary().apiToken.findUnique({ where: { hash: hashToken(token) }, include: { user: true } });
  if (!row || row.revokedAt) throw new ApiError(401, "invalid_token", "The bearer token is unknown or revoked");
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await prisma().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  const user: AccountUser = { id: row.user.id, email: row.user.email ?? "", name: row.user.name, role: row.user.role };
  // A token never grants more than its owner has now.
  const scopes = (row.scopes as Scope[]).filter((s) => s !== "admin" || user.role === "admin");
  return { user, scopes, tokenId: row.id };
}
