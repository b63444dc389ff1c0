import type { Metadata } from "next";
import { JobsBoard } from "@/components/jobs/jobs-board";
import { requireUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Jobs" };

export default async function JobsPage() {
  const user = await requireUser("/jobs");
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Jobs</h1>
        <p className="mt-1 text-sm text-stone-600">Imports, retraining, AI picks and experiments run here as jobs you can watch and cancel.</p>
      </div>
      <JobsBoard isAdmin={user.role === "admin"} />
    </div>
  );
}
