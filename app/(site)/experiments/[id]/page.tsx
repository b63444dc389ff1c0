import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ExperimentResult } from "@/components/experiments/experiment-result";
import { ApiError } from "@/lib/api/errors";
import { requireUser } from "@/lib/auth/session";
import { getExperiment } from "@/lib/experiments/service";

export const metadata: Metadata = { title: "Experiment" };

export default async function ExperimentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/experiments/${id}`);
  const experiment = await getExperiment(user, id).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) notFound();
    throw err;
  });
  return <ExperimentResult initial={experiment} isAdmin={user.role === "admin"} />;
}
