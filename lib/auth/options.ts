import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { prisma } from "../db/client";
import { enforceRateLimit } from "../api/rate-limit";
import { SignInSchema } from "./schemas";
import { verifyCredentials } from "./users";

declare module "next-auth" {
  interface Session {
    user: { id: number; email: string; name: string | null; role: "user" | "admin" };
  }
  interface User {
    role?: "user" | "admin";
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid?: number;
    role?: "user" | "admin";
  }
}

const oauthProviders = process.env.GITHUB_ID && process.env.GITHUB_SECRET
  ? [GitHubProvider({ clientId: process.env.GITHUB_ID, clientSecret: process.env.GITHUB_SECRET })]
  : [];

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
  pages: { signIn: "/signin" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials) {
        const parsed = SignInSchema.safeParse(credentials ?? {});
        if (!parsed.success) return null;
        // Brute force is slowed per email: past the limit every attempt fails without checking the password.
        try {
          await enforceRateLimit("signin", `form|${parsed.data.email}`);
        } catch {
          return null;
        }
        const user = await verifyCredentials(parsed.data.email, parsed.data.password);
        return user ? { id: String(user.id), email: user.email, name: user.name, role: user.role } : null;
      },
    }),
    ...oauthProviders,
  ],
  callbacks: {
    async signIn({ user, account }) {
      if (account?.provider === "credentials") return true;
      // OAuth accounts are matched to Tastebud users by verified email.
      return Boolean(user.email);
    },
    async jwt({ token, user, account }) {
      if (user && account?.provider === "credentials") {
        token.uid = Number(user.id);
        token.role = user.role ?? "user";
      } else if (user?.email && account) {
        const email = user.email.toLowerCase();
        const row = await prisma().user.upsert({ where: { email }, create: { email, name: user.name ?? null }, update: {} });
        token.uid = row.id;
        token.role = row.role;
      }
      return token;
    },
    async session({ session, token }) {
      session.user = {
        id: token.uid ?? 0,
        email: token.email ?? "",
        name: token.name ?? null,
        role: token.role ?? "user",
      };
      return session;
    },
  },
};
