"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { apiFetch } from "@/components/api-fetch";
import { ImportReportView, type ImportReport } from "@/components/imports/import-uploader";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { formatDuration, ProgressBar, StatusBadge, useCancelJob } from "./job-progress";
import { isActive, outcomeOf, statusLabel, type Job } from "./types";

type Schedules = {
  items: { kind: string; title: string; cron: string; next_run_at: string | null; last_run: Job | null }[];
  startable: { kind: string; title: string; description: string }[];
  titles: Record<string, string>;
  engine: "embedded" | "inngest";
};

const STATUSES = ["", "queued", "sent", "running", "succeeded", "failed", "cancelled"] as const;

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" }) : "-";
}

export function JobsBoard({ isAdmin }: { isAdmin: boolean }) {
  const qc = useQueryClient();
  const cancel = useCancelJob();
  const [status, setStatus] = useState<string>("");
  const jobs = useQuery({
    queryKey: ["jobs", status],
    queryFn: () => apiFetch<{ items: Job[] }>(`/api/v1/jobs?limit=50${status ? `&status=${status}` : ""}`),
    // Fast while something runs; every 2 s otherwise, so a job started elsewhere (a CLI import, a schedule) shows up
    // while it is still running rather than after it has finished.
    refetchInterval: (q) => (q.state.data?.items.some(isActive) ? 700 : 2000),
  });
  const schedules = useQuery({ queryKey: ["job-schedules"], queryFn: () => apiFetch<Schedules>("/api/v1/jobs/schedules"), refetchInterval: 15_000 });
  /** Kinds with a job queued or running in the list: another "Run now" would only queue a duplicate behind it. */
  const running = new Set(jobs.data?.items.filter(isActive).map((j) => j.kind));
  const start = useMutation({
    mutationFn: (kind: string) => apiFetch<Job>("/api/v1/jobs", { method: "POST", body: { kind } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["jobs"] }),
  });
  // Each time a job appears in the list or changes status (one that skips may be done before the list first shows
  // it), the schedules' "Last run" is read again rather than at their next poll.
  const statuses = jobs.data?.items.map((j) => `${j.id}:${j.status}`).join(",");
  useEffect(() => {
    if (statuses !== undefined) void qc.invalidateQueries({ queryKey: ["job-schedules"] });
  }, [statuses, qc]);

  return (
    // On a phone the jobs (and a running one's progress) come first, the cards to start one after them.
    <div className="flex flex-col gap-8">
      {schedules.data && schedules.data.startable.length > 0 ? (
        <section className="order-2 space-y-3 sm:order-1">
          <h2 className="font-semibold">Start a job</h2>
          {start.error ? <Alert>{start.error.message}</Alert> : null}
          <div className="grid gap-3 sm:grid-cols-2">
            {schedules.data.startable.map((s) => (
              <div key={s.kind} className="flex items-center gap-3 rounded-lg border border-stone-200 bg-white p-3 sm:items-start">
                <div className="flex-1">
                  <p className="font-medium">{s.title}</p>
                  {/* One line a job on a phone, so the jobs themselves (what runs now) are on the first screen. */}
                  <p className="hidden text-sm text-stone-500 sm:block">{s.description}</p>
                </div>
                <Button type="button" onClick={() => start.mutate(s.kind)} disabled={start.isPending || running.has(s.kind)} aria-label={running.has(s.kind) ? `Running: ${s.title}` : `Run now: ${s.title}`}>
                  {running.has(s.kind) ? "Running" : "Run now"}
                </Button>
              </div>
            ))}
          </div>
        </section>
      ) : null}

      <section className="order-1 space-y-3 sm:order-2">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 className="font-semibold">{isAdmin ? "All jobs" : "Your jobs"}</h2>
          <label className="flex items-center gap-2 text-sm text-stone-600">
            Status
            <select value={status} onChange={(e) => setStatus(e.target.value)} className="rounded-md border border-stone-300 bg-white px-2 py-1 text-sm">
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s ? statusLabel(s) : "any"}
                </option>
              ))}
            </select>
          </label>
        </div>
        {jobs.error ? <Alert>{jobs.error.message}</Alert> : null}
        {cancel.error ? <Alert>{cancel.error.message}</Alert> : null}
        {jobs.data?.items.length === 0 ? <p className="rounded-lg border border-dashed border-stone-300 p-6 text-center text-sm text-stone-500">{status ? `No ${statusLabel(status)} jobs.` : "No jobs yet."}</p> : null}
        <ul className="space-y-2">
          {jobs.data?.items.map((job) => (
            <li key={job.id} className="rounded-lg border border-stone-200 bg-white p-3" data-testid="job-row" data-job-id={job.id} data-kind={job.kind}>
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                <span className="font-medium" title={job.kind}>
                  {schedules.data?.titles[job.kind] ?? job.kind}
                </span>
                {subjectOf(job) ? <span className="min-w-0 truncate text-sm text-stone-500" data-testid="job-subject">{subjectOf(job)}</span> : null}
                <StatusBadge job={job} />
                {job.scheduled ? <span className="text-xs text-stone-500">scheduled</span> : null}
                <span className={`order-last min-w-0 basis-full text-sm text-stone-600 sm:order-none sm:basis-auto sm:flex-1 ${isActive(job) ? "truncate" : ""}`} data-testid="job-message">{job.message}</span>
                <span className="ml-auto text-sm tabular-nums text-stone-500" data-testid="job-percent">{job.progress}%</span>
                {isActive(job) ? (
                  <Button type="button" variant="danger" className="px-2.5 py-1" onClick={() => cancel.mutate(job.id)} disabled={job.cancel_requested}>
                    {job.cancel_requested ? "Cancelling..." : "Cancel"}
                  </Button>
                ) : null}
              </div>
              <div className="mt-2">
                <ProgressBar job={job} />
              </div>
              <details className="mt-2 text-sm">
                <summary className="cursor-pointer text-stone-500">
                  Details · created {when(job.created_at)}
                  {job.duration_ms !== null ? ` · ${isActive(job) ? "running for" : "took"} ${formatDuration(job.duration_ms)}` : ""}
                  {job.attempts > 0 ? ` · attempt ${job.attempts} of ${job.max_attempts}` : " · not started yet"}
                </summary>
                <dl className="mt-2 grid grid-cols-[auto,1fr] gap-x-3 gap-y-1 text-stone-700">
                  <dt className="text-stone-500">Job id</dt>
                  <dd className="break-all font-mono text-xs">{job.id}</dd>
                  <dt className="text-stone-500">Started</dt>
                  <dd>{when(job.started_at)}</dd>
                  <dt className="text-stone-500">Finished</dt>
                  <dd>{when(job.finished_at)}</dd>
                </dl>
                {job.error ? <pre className="mt-2 whitespace-pre-wrap rounded bg-red-50 p-2 text-xs text-red-800" data-testid="job-error">{job.error}</pre> : null}
                {isImportReport(job) ? (
                  <div className="mt-2">
                    <ImportReportView report={job.result} />
                  </div>
                ) : job.result !== null && job.result !== undefined ? (
                  <pre className="mt-2 overflow-x-auto rounded bg-stone-50 p-2 text-xs" data-testid="job-result">{JSON.stringify(job.result, null, 2)}</pre>
                ) : null}
              </details>
            </li>
          ))}
        </ul>
      </section>

      <section className="order-3 space-y-3">
        <h2 className="font-semibold">Schedules</h2>
        <p className="text-sm text-stone-500">
          Run by the {schedules.data?.engine === "inngest" ? "Inngest" : "embedded"} job runner. Times are UTC.
        </p>
        <div className="overflow-x-auto rounded-lg border border-stone-200 bg-white">
          <table className="w-full text-left text-sm">
            <thead className="bg-stone-50 text-stone-500">
              <tr>
                <th className="px-3 py-2 font-medium">Job</th>
                <th className="hidden px-3 py-2 font-medium sm:table-cell">Cron</th>
                <th className="px-3 py-2 font-medium">Last run</th>
                <th className="px-3 py-2 font-medium">Next run</th>
              </tr>
            </thead>
            <tbody>
              {schedules.data?.items.map((s) => (
                <tr key={s.kind} className="border-t border-stone-100" data-testid="schedule-row">
                  <td className="px-3 py-2">
                    {s.title}
                    {/* On a phone the cron goes under the name, so the table fits without scrolling sideways. */}
                    <span className="block font-mono text-xs text-stone-500 sm:hidden">{s.cron}</span>
                  </td>
                  <td className="hidden whitespace-nowrap px-3 py-2 font-mono text-xs sm:table-cell">{s.cron}</td>
                  <td className="px-3 py-2">{s.last_run ? `${when(s.last_run.created_at)} (${outcomeOf(s.last_run)})` : "never"}</td>
                  <td className="px-3 py-2">{when(s.next_run_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

/** An import's result is its report, shown as the Imports page shows it rather than as JSON. */
function isImportReport(job: Job): job is Job & { result: ImportReport } {
  return job.kind === "import" && typeof (job.result as { rows_loaded?: unknown } | null)?.rows_loaded === "number";
}

/** What a job works on, when its payload names it: an import's file and kind. */
function subjectOf(job: Job): string | null {
  const p = job.payload as { name?: unknown; format?: unknown } | null;
  if (!p || typeof p.name !== "string") return null;
  return typeof p.format === "string" ? `${p.name} (${p.format})` : p.name;
}
