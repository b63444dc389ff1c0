"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { apiFetch } from "@/components/api-fetch";
import { isActive, outcomeOf, statusLabel, type Job } from "./types";

const STATUS_STYLE: Record<ReturnType<typeof outcomeOf>, string> = {
  queued: "bg-stone-100 text-stone-700",
  sent: "bg-stone-100 text-stone-700",
  running: "bg-sky-100 text-sky-800",
  succeeded: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
  cancelled: "bg-amber-100 text-amber-800",
  skipped: "bg-stone-100 text-stone-700",
  "nothing loaded": "bg-amber-100 text-amber-800",
};

export function StatusBadge({ job }: { job: Pick<Job, "status"> & { result?: unknown } }) {
  const outcome = outcomeOf(job);
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${STATUS_STYLE[outcome]}`} data-testid="job-status">{statusLabel(outcome)}</span>;
}

export function ProgressBar({ job }: { job: Pick<Job, "progress" | "status" | "message" | "result"> }) {
  const outcome = outcomeOf(job);
  const colour = outcome === "failed" ? "bg-red-500" : outcome === "cancelled" || outcome === "nothing loaded" ? "bg-amber-500" : outcome === "skipped" ? "bg-stone-400" : outcome === "succeeded" ? "bg-emerald-500" : "bg-brand-500";
  return (
    <div
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={job.progress}
      aria-label={job.message ?? "Progress"}
      className="h-2 w-full overflow-hidden rounded-full bg-stone-200"
    >
      <div className={`h-full rounded-full transition-[width] duration-300 ${colour}`} style={{ width: `${job.progress}%` }} />
    </div>
  );
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return "-";
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function useCancelJob() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<Job>(`/api/v1/jobs/${id}/cancel`, { method: "POST" }),
    onSuccess: (job) => {
      qc.setQueryData(["job", job.id], job);
      void qc.invalidateQueries({ queryKey: ["jobs"] });
    },
  });
}

/** The small widget a page shows after starting a job: live bar, status, cancel, and the outcome. */
export function JobProgress({ jobId, onDone, onError }: { jobId: string; onDone?: (job: Job) => void; onError?: (error: Error) => void }) {
  const cancel = useCancelJob();
  const { data: job, error } = useQuery({
    queryKey: ["job", jobId],
    queryFn: () => apiFetch<Job>(`/api/v1/jobs/${jobId}`),
    refetchInterval: (q) => (q.state.data && !isActive(q.state.data) ? false : 700),
  });
  // Once per job, however the job got to its end: a fetch, or the Cancel button's answer (a job cancelled before it
  // started ends right there, with no fetch after it).
  const reported = useRef<string | null>(null);
  useEffect(() => {
    if (!job || isActive(job) || reported.current === job.id) return;
    reported.current = job.id;
    onDone?.(job);
  }, [job, onDone]);
  // The job can no longer be watched (signed out, say): whoever waits on it must not wait for ever.
  useEffect(() => {
    if (error) onError?.(error);
  }, [error, onError]);
  if (error) return <p className="text-sm text-red-700">{error.message}</p>;
  if (!job) return <p className="text-sm text-stone-500">Starting...</p>;
  return (
    <div className="space-y-2 rounded-lg border border-stone-200 bg-white p-3" data-testid="job-progress">
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
        <StatusBadge job={job} />
        {/* Under the badge on a phone; a finished job's message (what a cancel kept, say) is shown whole. */}
        <span className={`order-last min-w-0 basis-full text-stone-600 sm:order-none sm:basis-0 sm:flex-1 ${isActive(job) ? "truncate" : ""}`} data-testid="job-message">
          {job.message}
        </span>
        <span className="ml-auto tabular-nums text-stone-500">{job.progress}%</span>
        {isActive(job) ? (
          <button type="button" className="text-sm text-red-700 hover:underline" onClick={() => cancel.mutate(job.id)} disabled={job.cancel_requested}>
            {job.cancel_requested ? "Cancelling..." : "Cancel"}
          </button>
        ) : null}
      </div>
      <ProgressBar job={job} />
      {job.error ? <p className="text-sm text-red-700">{job.error}</p> : null}
    </div>
  );
}
