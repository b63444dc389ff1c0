"use client";

import { type InfiniteData, useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import Link from "next/link";
import { apiFetch } from "@/components/api-fetch";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { HIDDEN_PAGE } from "@/lib/feedback/schemas";
import { feedbackKey, type FeedbackState } from "./use-feedback";

export type HiddenItem = { id: number; title: string; year: number | null; hidden_at: string };
type HiddenPage = { items: HiddenItem[]; next_cursor: string | null };
type HiddenPages = InfiniteData<HiddenPage, string | null>;

const KEY = ["hidden"];

// Server and browser may sit in different time zones; a day in UTC renders the same on both.
const day = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export function HiddenMovies({ initial }: { initial: HiddenPage }) {
  const qc = useQueryClient();
  const hidden = useInfiniteQuery({
    queryKey: KEY,
    queryFn: ({ pageParam }) => apiFetch<HiddenPage>(`/api/v1/me/hidden?limit=${HIDDEN_PAGE}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    initialData: { pages: [initial], pageParams: [null] },
  });
  const unhide = useMutation({
    mutationFn: (id: number) => apiFetch<FeedbackState>("/api/v1/me/feedback", { method: "POST", body: { item_id: id, type: "unhide" } }),
    onMutate: async (id) => {
      await qc.cancelQueries({ queryKey: KEY });
      const before = qc.getQueryData<HiddenPages>(KEY);
      qc.setQueryData<HiddenPages>(KEY, (d) => (d ? { ...d, pages: d.pages.map((p) => ({ ...p, items: p.items.filter((i) => i.id !== id) })) } : d));
      return { before };
    },
    onError: (_err, _id, ctx) => qc.setQueryData(KEY, ctx?.before),
    onSuccess: (state) => qc.setQueryData(feedbackKey(state.item_id), state),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: KEY });
      void qc.invalidateQueries({ queryKey: ["recs"] });
    },
  });

  const items = hidden.data.pages.flatMap((p) => p.items);
  // Keyboard focus stays in the list when a row goes: on the next row's Unhide (the one before, for the last row), or
  // on "Nothing hidden." when none is left (it fell to the page's body).
  const buttons = useRef(new Map<number, HTMLButtonElement>());
  const empty = useRef<HTMLDivElement>(null);
  const [focusNext, setFocusNext] = useState<number | "empty" | null>(null);
  useEffect(() => {
    if (focusNext === null) return;
    const target = focusNext === "empty" ? empty.current : buttons.current.get(focusNext);
    if (target) {
      target.focus();
      setFocusNext(null);
    }
  }, [focusNext, items]);
  const unhideRow = (id: number) => {
    const at = items.findIndex((i) => i.id === id);
    const neighbour = items[at + 1] ?? items[at - 1];
    setFocusNext(neighbour ? neighbour.id : "empty");
    unhide.mutate(id);
  };
  return (
    <div className="space-y-3">
      {unhide.error ? <Alert>Could not unhide: {unhide.error.message}</Alert> : null}
      {hidden.error ? <Alert>{hidden.error.message}</Alert> : null}
      {items.length === 0 ? (
        <div ref={empty} tabIndex={-1} className="rounded-lg border border-dashed border-stone-300 p-8 text-center text-stone-600 outline-none">
          Nothing hidden.
        </div>
      ) : (
        <ul className="divide-y divide-stone-200 rounded-lg border border-stone-200 bg-white">
          {items.map((item) => (
            <li key={item.id} className="flex items-center gap-3 px-3 py-2.5" data-testid="hidden-row">
              <div className="min-w-0 flex-1">
                <Link href={`/movies/${item.id}`} id={`hidden-${item.id}`} className="block truncate font-medium hover:underline">
                  {item.title} {item.year ? <span className="font-normal text-stone-500">({item.year})</span> : null}
                </Link>
                <p className="text-xs text-stone-500">
                  Hidden <time dateTime={item.hidden_at}>{day(item.hidden_at)}</time>
                </p>
              </div>
              <Button
                type="button"
                variant="secondary"
                className="px-2.5 py-1.5"
                aria-describedby={`hidden-${item.id}`}
                ref={(el: HTMLButtonElement | null) => {
                  if (el) buttons.current.set(item.id, el);
                  else buttons.current.delete(item.id);
                }}
                onClick={() => unhideRow(item.id)}
              >
                Unhide
              </Button>
            </li>
          ))}
        </ul>
      )}
      {hidden.hasNextPage ? (
        <Button type="button" variant="secondary" onClick={() => void hidden.fetchNextPage()} disabled={hidden.isFetchingNextPage}>
          {hidden.isFetchingNextPage ? "Loading..." : "Show more"}
        </Button>
      ) : null}
    </div>
  );
}
