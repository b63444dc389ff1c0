"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { apiFetch } from "@/components/api-fetch";
import { JobProgress } from "@/components/jobs/job-progress";
import type { Job } from "@/components/jobs/types";
import { Button } from "@/components/ui/button";

/** Asks the language model for fresh picks now, and shows the job until it is done. */
export function AiPicksRefresh({ label = "Refresh AI picks" }: { label?: string }) {
  const router = useRouter();
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  return (
    <div className="space-y-2">
      <Button
        type="button"
        variant="secondary"
        disabled={pending || jobId !== null}
        onClick={async () => {
          setPending(true);
          setError(null);
          try {
            const job = await apiFetch<Job>("/api/v1/me/llm-picks/refresh", { method: "POST" });
            setJobId(job.id);
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setPending(false);
          }
        }}
      >
        {label}
      </Button>
      {error ? <p className="text-sm text-red-700">{error}</p> : null}
      {jobId ? (
        <JobProgress
          jobId={jobId}
          onDone={() => {
            setJobId(null);
            router.refresh();
          }}
        />
      ) : null}
    </div>
  );
}
