"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { apiFetch } from "@/components/api-fetch";
import { JobProgress } from "@/components/jobs/job-progress";
import { isActive, type Job } from "@/components/jobs/types";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";

const KINDS = [
  ["ratings", "ratings.csv (MovieLens / The Movies Dataset: userId,movieId,rating,timestamp)"],
  ["movies", "movies.csv (movieId,title,genres)"],
  ["links", "links.csv (movieId,imdbId,tmdbId)"],
  ["movies-metadata", "movies_metadata.csv (The Movies Dataset)"],
  ["movietweetings-ratings", "MovieTweetings ratings.dat"],
  ["movietweetings-movies", "MovieTweetings movies.dat"],
] as const;

export type ImportReport = {
  rows_loaded: number;
  rows_rejected: number;
  rows_changed: number;
  users_created: number;
  items_created: number;
  seconds: number;
  rows_per_second: number;
  warnings: string[];
  errors: { line: number; reason: string; text: string }[];
};

/** Uploads with XMLHttpRequest, the one browser API that reports upload progress. */
function upload(kind: string, file: File, onProgress: (fraction: number) => void): Promise<{ job_id: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/imports/${kind}?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      const body = JSON.parse(xhr.responseText || "{}") as { job_id?: string; detail?: string };
      if (xhr.status === 202 && body.job_id) resolve({ job_id: body.job_id });
      else reject(new Error(body.detail ?? `Upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error("The upload was interrupted; check your connection and try again"));
    xhr.send(file);
  });
}

export function ImportUploader() {
  const qc = useQueryClient();
  const [uploaded, setUploaded] = useState<number | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  /** The import started from this page is still running: another upload would only queue behind it. */
  const [importing, setImporting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  // Back on the page (a reload, another tab): the latest import, watched again if it still runs, with its report if
  // it finished, instead of an idle form that says nothing about it.
  const latest = useQuery({
    queryKey: ["imports", "latest"],
    queryFn: () => apiFetch<{ items: Job[] }>("/api/v1/jobs?kind=import&limit=1"),
    // Asked afresh each time the page opens: a list kept from an earlier visit may not hold the newest import.
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
  const last = latest.data?.items[0];
  const [lastName, setLastName] = useState<string | null>(null);
  const attached = useRef(false);
  useEffect(() => {
    // Once, when the page opens: after that the form's own uploads are what it shows.
    if (!last || attached.current) return;
    attached.current = true;
    if (jobId !== null) return;
    setJobId(last.id);
    setLastName((last.payload as { name?: string } | null)?.name ?? "a file");
    setImporting(isActive(last));
  }, [last, jobId]);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const file = form.get("file");
    const kind = String(form.get("kind"));
    if (!(file instanceof File) || file.size === 0 && !file.name) {
      setError("Choose a file to import");
      return;
    }
    setError(null);
    setReport(null);
    setJobId(null);
    setLastName(null);
    setUploaded(0);
    try {
      const { job_id } = await upload(kind, file, setUploaded);
      setJobId(job_id);
      setImporting(true);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setUploaded(null);
    }
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} className="space-y-3 rounded-lg border border-stone-200 bg-white p-4">
        <label className="block space-y-1">
          <span className="text-sm font-medium text-stone-700">What kind of file</span>
          <select name="kind" className={inputClass} defaultValue="ratings" aria-label="File kind">
            {KINDS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="block space-y-1">
          <span className="text-sm font-medium text-stone-700">File</span>
          <input type="file" name="file" aria-label="File" className="block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-stone-100 file:px-3 file:py-2" />
        </label>
        <Button type="submit" disabled={uploaded !== null || importing}>
          {uploaded !== null ? `Uploading ${Math.round(uploaded * 100)}%` : importing ? "Importing..." : "Upload and import"}
        </Button>
        {uploaded !== null ? (
          <div role="progressbar" aria-label="Upload" aria-valuenow={Math.round(uploaded * 100)} className="h-1.5 rounded-full bg-stone-200">
            <div className="h-full rounded-full bg-sky-500" style={{ width: `${uploaded * 100}%` }} />
          </div>
        ) : null}
      </form>
      {error ? <Alert>{error}</Alert> : null}
      {jobId && lastName ? <h2 className="text-sm font-medium text-stone-600">Latest import: {lastName}</h2> : null}
      {jobId ? (
        <JobProgress
          jobId={jobId}
          onError={() => setImporting(false)}
          onDone={(job: Job) => {
            setImporting(false);
            if (job.status === "succeeded") setReport(job.result as ImportReport);
            void qc.invalidateQueries({ queryKey: ["jobs"] });
          }}
        />
      ) : null}
      {report ? <ImportReportView report={report} /> : null}
    </div>
  );
}

export function ImportReportView({ report }: { report: ImportReport }) {
  // No row loaded: the job ran to the end of its file, but nothing the person wanted happened; an error when lines were
  // rejected (the wrong kind of file, say), a note for an empty file.
  const nothing = report.rows_loaded === 0;
  const failed = nothing && report.rows_rejected > 0;
  return (
    <section className="space-y-3 rounded-lg border border-stone-200 bg-white p-4" data-testid="import-report">
      <h3 className={`font-semibold ${failed ? "text-red-800" : nothing ? "text-amber-800" : ""}`}>{nothing ? "Nothing was loaded" : "Import finished"}</h3>
      <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
        {[
          ["Loaded", report.rows_loaded],
          ["Rejected", report.rows_rejected],
          ["Changed", report.rows_changed],
          ["New users", report.users_created],
          ["New items", report.items_created],
          ["Seconds", report.seconds],
          ["Rows/s", report.rows_per_second],
        ].map(([k, v]) => (
          <div key={k} className="rounded bg-stone-50 p-2">
            <dt className="text-xs text-stone-500">{k}</dt>
            <dd className="font-semibold tabular-nums" data-testid={`report-${String(k).toLowerCase().replace(/\W+/g, "-")}`}>
              {Number(v).toLocaleString("en")}
            </dd>
          </div>
        ))}
      </dl>
      {report.warnings.map((w) => (
        <Alert key={w} tone={failed ? "error" : "info"}>
          {w}
        </Alert>
      ))}
      {report.errors.length > 0 ? (
        <div className="overflow-x-auto">
          <p className="mb-1 text-sm text-stone-600">
            Rejected lines{report.rows_rejected > report.errors.length ? ` (first ${report.errors.length} of ${report.rows_rejected.toLocaleString("en")})` : ""}:
          </p>
          <table className="w-full text-left text-sm">
            <thead className="text-stone-500">
              <tr>
                <th className="pr-3 font-medium">Line</th>
                <th className="pr-3 font-medium">Reason</th>
                <th className="hidden font-medium sm:table-cell">Text</th>
              </tr>
            </thead>
            <tbody>
              {/* On a phone the line's text goes under its reason: three columns left the reason a word per line. */}
              {report.errors.map((e) => (
                <tr key={`${e.line}-${e.reason}`} className="border-t border-stone-100 align-top" data-testid="import-error">
                  <td className="py-1 pr-3 tabular-nums">{e.line}</td>
                  <td className="py-1 pr-3">
                    {e.reason}
                    <div className="mt-0.5 break-all font-mono text-xs text-stone-500 sm:hidden">{e.text}</div>
                  </td>
                  <td className="hidden max-w-xs truncate py-1 font-mono text-xs text-stone-500 sm:table-cell">{e.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
