"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import Link from "next/link";
import { apiFetch } from "@/components/api-fetch";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { dropFromPages, type ListPage, ShowMore, usePagedList } from "@/components/paged-list";
import { HIDDEN_PAGE } from "@/lib/feedback/schemas";
import type { HiddenItem } from "@/lib/feedback/service";
import { feedbackKey, type FeedbackState } from "./use-feedback";


const KEY = ["hidden"];

// Server and browser may sit in different time zones; a day in UTC renders the same on both.
const day = (iso: string) => new Date(iso).toLocaleDateString("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export function HiddenMovies({ initial }: { initial: ListPage<HiddenItem> }) {
  const qc = useQueryClient();
  const { query: hidden, items = [] } = usePagedList<HiddenItem>(KEY, "/api/v1/me/hidden", HIDDEN_PAGE, initial);
  const unhide = useMutation({
    mutationFn: (id: number) => apiFetch<FeedbackState>("/api/v1/me/feedback", { method: "POST", body: { item_id: id, type: "unhide" } }),
    onMutate: async (id) => {
      await qc.cancelQueries({ queryKey: KEY });
      return { before: dropFromPages<HiddenItem>(qc, KEY, (i) => i.id === id) };
    },
    onError: (_err, _id, ctx) => qc.setQueryData(KEY, ctx?.before),
    onSuccess: (state) => qc.setQueryData(feedbackKey(state.item_id), state),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: KEY });
      void qc.invalidateQueries({ queryKey: ["recs"] });
    },
  });

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
      <ShowMore query={hidden} />
    </div>
  );
}
