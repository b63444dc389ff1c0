import type { ReactNode } from "react";
import { SiteHeader } from "@/components/shell/site-header";
import { currentUser } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

export default async function SiteLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <>
      <SiteHeader user={user} />
      <main className="mx-auto max-w-6xl px-4 py-6 sm:py-8">{children}</main>
    </>
  );
}
