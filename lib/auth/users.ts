import { ApiError } from "../api/errors";
import { prisma, Prisma } from "../db/client";
import { hashPassword, verifyPassword } from "./password";
import type { RegisterInput } from "./schemas";

export type AccountUser = { id: number; email: string; name: string | null; role: "user" | "admin" };

const toAccount = (u: { id: number; email: string | null; name: string | null; role: "user" | "admin" }): AccountUser => ({
  id: u.id,
  email: u.email ?? "",
  name: u.name,
  role: u.role,
});

export async function registerUser(input: RegisterInput): Promise<AccountUser> {
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await prisma().user.create({
      data: { email: input.email, name: input.name ?? null, passwordHash },
    });
    return toAccount(user);
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new ApiError(409, "email_taken", "An account with this email already exists");
    }
    throw err;
  }
}

// A fixed hash to compare against when the email is unknown, so both failures take the same time.
let decoyHash: Promise<string> | null = null;

// Account reads use the primary: signing in right after signing up, and a demotion taking effect, cannot wait for a replica.
export async function verifyCredentials(email: string, password: string): Promise<AccountUser | null> {
  const user = await prisma().$primary().user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user?.passwordHash) {
    decoyHash ??= hashPassword("decoy-password-for-timing");
    await verifyPassword(await decoyHash, password);
    return null;
  }
  return (await verifyPassword(user.passwordHash, password)) ? toAccount(user) : null;
}

export async function findAccount(id: number): Promise<AccountUser | null> {
  const user = await prisma().$primary().user.findUnique({ where: { id } });
  return user?.email ? toAccount(user) : null;
}

/** Makes sure ADMIN_EMAIL exists with ADMIN_PASSWORD and the admin role. */
export async function ensureAdmin(email: string, password: string): Promise<AccountUser> {
  const normalized = email.trim().toLowerCase();
  const existing = await prisma().$primary().user.findUnique({ where: { email: normalized } });
  if (existing?.passwordHash && existing.role === "admin" && (await verifyPassword(existing.passwordHash, password))) {
    return toAccount(existing);
  }
  const passwordHash = await hashPassword(password);
  const user = await prisma().user.upsert({
    where: { email: normalized },
    create: { email: normalized, passwordHash, role: "admin", name: "Admin" },
    update: { passwordHash, role: "admin" },
  });
  return toAccount(user);
}
