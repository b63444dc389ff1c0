"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { apiFetch } from "@/components/api-fetch";
import { JobProgress } from "@/components/jobs/job-progress";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

/** "Connect Last.fm": starts the history import and shows it until it is done. */
export function ConnectLastfm({ username }: { username: string | null }) {
  const router = useRouter();
  const [jobId, setJobId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const name = String(new FormData(e.currentTarget).get("username") ?? "").trim();
    if (!name) {
      setError("Enter your Last.fm username");
      return;
    }
    setPending(true);
    setError(null);
    try {
      const res = await apiFetch<{ job_id: string }>("/api/v1/imports/lastfm", { method: "POST", body: { username: name } });
      setJobId(res.job_id);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setPending(false);
    }
  }

  return (
    <div className="space-y-3">
      <form onSubmit={onSubmit} className="flex flex-col gap-2 sm:flex-row sm:items-end" noValidate>
        <div className="flex-1">
          <Field id="lastfm-username" name="username" label="Last.fm username" defaultValue={username ?? ""} autoComplete="off" />
        </div>
        <Button type="submit" disabled={pending || jobId !== null}>
          {username ? "Import new scrobbles" : "Connect Last.fm"}
        </Button>
      </form>
      {error ? <Alert>{error}</Alert> : null}
      {jobId ? (
        <JobProgress
          jobId={jobId}
          onDone={(job) => {
            if (job.status !== "succeeded") setError(job.error ?? `The import ended as ${job.status}`);
            setJobId(null);
            router.refresh();
          }}
        />
      ) : null}
    </div>
  );
}
