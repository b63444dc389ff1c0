import type { Metadata } from "next";
import { ExperimentLab } from "@/components/experiments/experiment-lab";
import { requireUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Experiments" };

export default async function ExperimentsPage() {
  const user = await requireUser("/experiments");
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Experiments</h1>
        <p className="mt-1 text-sm text-stone-600">
          Compare recommenders offline on held-out ratings{user.role === "admin" ? ", or test blends on real people with an A/B test" : ""}.
        </p>
      </div>
      <ExperimentLab isAdmin={user.role === "admin"} />
    </div>
  );
}
