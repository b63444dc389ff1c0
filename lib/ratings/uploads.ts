import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { ApiError } from "../api/errors";

// Uploaded import files are streamed to disk (never held in memory) under the data directory, where the import
// job reads them in batches.

export const MAX_UPLOAD_BYTES = Number(process.env.IMPORT_MAX_BYTES ?? 4 * 1024 ** 3);

export function uploadsDir(): string {
  return path.resolve(process.env.TASTEBUD_DATA_DIR ?? process.env.DATA_DIR ?? ".data", "uploads");
}

export async function saveUpload(body: WebReadableStream<Uint8Array>, originalName: string): Promise<{ path: string; bytes: number }> {
  await mkdir(uploadsDir(), { recursive: true });
  const safe = originalName.replace(/[^A-Za-z0-9._-]+/g, "_").slice(-80) || "upload";
  const file = path.join(uploadsDir(), `${randomUUID()}-${safe}`);
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > MAX_UPLOAD_BYTES) done(new ApiError(413, "payload_too_large", `Uploads are limited to ${MAX_UPLOAD_BYTES} bytes`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(body), limit, createWriteStream(file));
  } catch (err) {
    await rm(file, { force: true });
    throw err instanceof ApiError ? err : new ApiError(400, "bad_request", `The upload did not complete: ${(err as Error).message}`);
  }
  return { path: file, bytes };
}
