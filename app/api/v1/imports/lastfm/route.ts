import { ApiError } from "@/lib/api/errors";
import { apiRoute, json, methodsNotAllowed } from "@/lib/api/handler";
import { enqueueJob } from "@/lib/jobs/dispatch";
import { lastfmConfig } from "@/lib/lastfm/client";
import { ConnectLastfmSchema } from "@/lib/lastfm/plays";
import { prisma } from "@/lib/db/client";


// Connects a Last.fm username to the caller and imports its history as a job.
export const POST = apiRoute({ scope: "write", body: ConnectLastfmSchema }, async ({ principal, body }) => {
  if (!lastfmConfig()) throw new ApiError(409, "conflict", "Last.fm is off on this server: set LASTFM_API_KEY to turn it on");
  const active = await prisma().job.findFirst({ where: { kind: "lastfm-import", ownerId: principal.user.id, status: { in: ["queued", "sent", "running"] } } });
  if (active) throw new ApiError(409, "conflict", `A Last.fm import is already running (job ${active.id})`);
  const job = await enqueueJob("lastfm-import", { user_id: principal.user.id, username: body.username }, { ownerId: principal.user.id });
  return json({ job_id: job.id, job }, { status: 202, headers: { location: `/api/v1/jobs/${job.id}` } });
});

export const { GET, PUT, PATCH, DELETE, OPTIONS } = methodsNotAllowed("POST");
