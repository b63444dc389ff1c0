"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent } from "react";
import { apiFetch } from "@/components/api-fetch";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { SelectField } from "./experiment-lab";

const TABLES = ["ratings", "events", "jobs"] as const;
const FILTERS = ["table", "from_date", "to_date", "user_id"] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
type LogPage = { table: string; items: Record<string, unknown>[]; next_cursor: string | null };

function toQuery(filters: Filters, cursor?: string): string {
  const q = new URLSearchParams();
  for (const key of FILTERS) if (filters[key].trim()) q.set(key, filters[key].trim());
  if (cursor) q.set("cursor", cursor);
  return q.toString();
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Filters live in the URL, so a view can be shared and the back button walks through pages. */
export function LogsBrowser() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const applied: Filters = {
    table: params.get("table") || "ratings",
    from_date: params.get("from_date") ?? "",
    to_date: params.get("to_date") ?? "",
    user_id: params.get("user_id") ?? "",
  };
  const cursor = params.get("cursor") ?? "";

  const query = toQuery(applied, cursor);
  const rows = useQuery({
    queryKey: ["logs", query],
    queryFn: () => apiFetch<LogPage>(`/api/v1/logs?limit=50&${query}`),
    placeholderData: keepPreviousData,
    retry: false,
  });

  const go = (filters: Filters, nextCursor?: string) => router.push(`${pathname}?${toQuery(filters, nextCursor)}`);

  const items = rows.data?.items ?? [];
  const columns = items[0] ? Object.keys(items[0]) : [];

  return (
    <div className="space-y-4">
      {/* Keyed by the filters in the URL so the back button also resets the form. */}
      <LogFilters key={FILTERS.map((k) => applied[k]).join("|")} applied={applied} onApply={(f) => go(f)} />
      {rows.error ? <Alert>{rows.error.message}</Alert> : null}
      {rows.isPending ? <p className="text-sm text-stone-500">Loading...</p> : null}
      {rows.data && !rows.error && items.length === 0 ? (
        <p className="rounded-lg border border-dashed border-stone-300 p-6 text-center text-sm text-stone-500">No rows match.</p>
      ) : null}
      {items.length > 0 && !rows.error ? (
        <div className={`overflow-x-auto rounded-lg border border-stone-200 bg-white ${rows.isPlaceholderData ? "opacity-60" : ""}`}>
          <table className="w-full text-left text-sm" data-testid="logs-table">
            <thead className="bg-stone-50 text-stone-500">
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col" className="whitespace-nowrap px-3 py-2 font-medium">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {items.map((row, i) => (
                <tr key={i} className="border-t border-stone-100">
                  {columns.map((c) => (
                    <td key={c} className="max-w-xs truncate whitespace-nowrap px-3 py-1.5 tabular-nums" title={cellText(row[c])}>
                      {row[c] === null ? <span className="text-stone-400">null</span> : cellText(row[c])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        {cursor ? (
          <Button type="button" variant="secondary" onClick={() => go(applied)}>
            First page
          </Button>
        ) : null}
        {rows.data?.next_cursor && !rows.error ? (
          <Button type="button" variant="secondary" onClick={() => go(applied, rows.data.next_cursor ?? undefined)}>
            Next page
          </Button>
        ) : null}
        {items.length > 0 && !rows.error ? <span className="text-sm text-stone-500">{items.length} rows on this page</span> : null}
      </div>
    </div>
  );
}

function LogFilters({ applied, onApply }: { applied: Filters; onApply: (filters: Filters) => void }) {
  const [draft, setDraft] = useState<Filters>(applied);
  const set = (key: keyof Filters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));
  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    onApply(draft);
  }
  return (
    <form onSubmit={onSubmit} className="grid gap-3 rounded-lg border border-stone-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-[10rem_1fr_1fr_10rem_auto]" aria-label="Log filters">
      <SelectField id="logs-table" label="Table" value={draft.table} onChange={set("table")} options={TABLES.map((t) => [t, t])} />
      <Field id="logs-from" label="From date" type="date" value={draft.from_date} onChange={set("from_date")} />
      <Field id="logs-to" label="To date" type="date" value={draft.to_date} onChange={set("to_date")} />
      <Field id="logs-user" label="User id" value={draft.user_id} onChange={set("user_id")} placeholder="any, or movielens:42" />
      <div className="flex gap-2 lg:self-end">
        <Button type="submit">Show rows</Button>
        <Button
          type="button"
          variant="ghost"
          onClick={() => {
            const cleared = { table: draft.table, from_date: "", to_date: "", user_id: "" };
            setDraft(cleared);
            onApply(cleared);
          }}
        >
          Clear
        </Button>
      </div>
    </form>
  );
}
