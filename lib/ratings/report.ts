// What an import tells its caller: counts, and the first rejected lines with the reason.
export const MAX_REPORTED_ERRORS = 100;

export type LineError = { line: number; reason: string; text: string };

export type ImportReport = {
  file: string;
  format: string;
  bytes: number;
  rows_read: number;
  rows_loaded: number;
  rows_rejected: number;
  rows_changed: number;
  users_created: number;
  items_created: number;
  errors: LineError[];
  seconds: number;
  rows_per_second: number;
  warnings: string[];
};

export function emptyReport(file: string, format: string, bytes: number): ImportReport {
  return {
    file,
    format,
    bytes,
    rows_read: 0,
    rows_loaded: 0,
    rows_rejected: 0,
    rows_changed: 0,
    users_created: 0,
    items_created: 0,
    errors: [],
    seconds: 0,
    rows_per_second: 0,
    warnings: [],
  };
}

/** Why a line holding a NUL byte is rejected: PostgreSQL stores no NUL in text, nor in the report's JSON. */
export const NUL_REASON = "contains a NUL byte (0x00), which cannot be stored";

// A NUL shows as the symbol for it: in the stored report it would make the whole import fail.
const visible = (s: string) => (s.includes("\u0000") ? s.replaceAll("\u0000", "\u2400") : s);

export function lineError(line: number, reason: string, text: string): LineError {
  return { line, reason: visible(reason), text: visible(text.length > 200 ? `${text.slice(0, 200)}...` : text) };
}
