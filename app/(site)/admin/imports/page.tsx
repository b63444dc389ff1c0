import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ImportUploader } from "@/components/imports/import-uploader";
import { currentUser, requireUser } from "@/lib/auth/session";

// Someone who is not an admin gets the 404, under its own title.
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await currentUser())?.role === "admin" ? "Imports" : "Not found" };
}

export default async function ImportsPage() {
  const user = await requireUser("/admin/imports");
  if (user.role !== "admin") notFound();
  return (
    <div className="max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Imports</h1>
        <p className="mt-1 text-sm text-stone-600">
          Upload ratings or catalog files. Large files stream straight to disk and load in batches with PostgreSQL COPY; bad lines are
          reported with their line number while the rest loads, and importing the same file again changes nothing. From a shell:{" "}
          <code className="rounded bg-stone-100 px-1">npm run import -- ratings path/to/ratings.csv</code>.
        </p>
      </div>
      <ImportUploader />
    </div>
  );
}
