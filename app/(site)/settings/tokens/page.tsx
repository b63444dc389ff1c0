import type { Metadata } from "next";
import { ApiTokens } from "@/components/settings/api-tokens";
import { requireUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const user = await requireUser("/settings/tokens");
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">API tokens</h1>
        <p className="mt-1 text-sm text-stone-600">
          Personal tokens let programs use the Tastebud API as you. Send one as <code>Authorization: Bearer &lt;token&gt;</code> to any{" "}
          <code>/api/v1</code> endpoint. Every endpoint is described in the{" "}
          <a href="/docs/api" className="font-medium text-brand-700 hover:underline">
            API reference
          </a>
          .
        </p>
      </div>
      <ApiTokens isAdmin={user.role === "admin"} />
    </div>
  );
}
