import { SiteHeader } from "@/components/shell/site-header";
import { NotFoundMessage } from "@/components/shell/not-found-message";
import { currentUser } from "@/lib/auth/session";

export const metadata = { title: "Not found" };

// An address no route matches: rendered in the root layout only, so the header is drawn here.
export default async function NotFound() {
  const user = await currentUser();
  return (
    <>
      <SiteHeader user={user} />
      <main className="mx-auto max-w-6xl px-4 py-6 sm:py-8">
        <NotFoundMessage />
      </main>
    </>
  );
}
