import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { LogsBrowser } from "@/components/experiments/logs-browser";
import { currentUser, requireUser } from "@/lib/auth/session";

// Someone who is not an admin gets the 404, under its own title.
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await currentUser())?.role === "admin" ? "Logs" : "Not found" };
}

export default async function LogsPage() {
  const user = await requireUser("/logs");
  if (user.role !== "admin") notFound();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Logs</h1>
        <p className="mt-1 text-sm text-stone-600">Ratings, feedback events and jobs, newest first. Dates are UTC; the to date includes that whole day.</p>
      </div>
      <Suspense fallback={<p className="text-sm text-stone-500">Loading...</p>}>
        <LogsBrowser />
      </Suspense>
    </div>
  );
}
