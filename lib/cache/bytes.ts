// JSON text's UTF-8 bytes held one byte to a character in a JavaScript string (Node's "latin1" encoding): how the cache
// keeps the answers that go out exactly as stored (rating histories, recommendation pages) and how the API writes them.
//
// Why not a Buffer: a Buffer's bytes are memory outside V8's heap, and V8 starts a full collection each time some 64 MB
// more of that has been allocated since the last one, however much of it is still in use. Every cached answer a
// cache miss stores (55 KB for 1,000 ratings) counted towards that: 3-4 full collections in a run of 2,211 misses,
// each holding every request in flight for 12-28 ms. A string of one-byte characters lives inside the heap, costs a
// byte a character as a Buffer does, is written to a socket with one copy ('latin1'), and its length is its size.

import type { LentBytes } from "./arena";

/** UTF-8 bytes, one to a character of this string. Made by the functions below, never by a cast elsewhere. */
export type JsonBytes = string & { readonly __utf8Bytes: unique symbol };

/**
 * A JSON answer's UTF-8 bytes as the cache gives them to send: a string as above, or bytes lent from the in-process
 * cache's arena (lib/cache/arena.ts), which whoever holds them releases once written.
 */
export type RawJson = JsonBytes | LentBytes;

/** The text of a RawJson (lent bytes must not have been released). */
export function textOfRawJson(raw: RawJson): string {
  return typeof raw === "string" ? textOfJsonBytes(raw) : raw.text();
}

/** Bytes (a view is fine: they are copied) as JsonBytes. */
export function jsonBytes(bytes: Uint8Array): JsonBytes {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1") as JsonBytes;
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** A JSON text (any string) as its UTF-8 bytes: the same string when it is ASCII, as JSON.stringify's output mostly is. */
export function jsonBytesOf(text: string): JsonBytes {
  return (ASCII.test(text) ? text : Buffer.from(text, "utf8").toString("latin1")) as JsonBytes;
}

/** The text those bytes encode. */
export function textOfJsonBytes(bytes: JsonBytes): string {
  return ASCII.test(bytes) ? bytes : Buffer.from(bytes, "latin1").toString("utf8");
}
