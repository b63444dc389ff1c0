"use client";

import { queryOptions, useMutation, useMutationState, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext } from "react";
import { apiFetch } from "@/components/api-fetch";
import type { FeedbackState } from "@/lib/feedback/schemas";

// One cached state per item, shared by every button, card and counter that shows it: hiding a movie in one row
// hides it in every row, and a failed call rolls all of them back together.

export type { FeedbackState };
export type FeedbackAction = { type: "like" | "dislike" | "unlike" | "hide" | "unhide" | "unrate" } | { type: "rate"; value: number };

/** Set by a card that disappears when its movie is hidden, so it can put focus on its Undo button. */
export const CardHideContext = createContext<(() => void) | null>(null);

export const feedbackKey = (itemId: number) => ["feedback", itemId] as const;

export const noFeedback = (itemId: number): FeedbackState => ({ item_id: itemId, reaction: null, hidden: false, rating: null });

/** What the server will answer, so the page can show it before the server does. */
export function applyAction(state: FeedbackState, action: FeedbackAction): FeedbackState {
  switch (action.type) {
    case "like":
    case "dislike":
      return { ...state, reaction: action.type };
    case "unlike":
      return { ...state, reaction: null };
    case "hide":
    case "unhide":
      return { ...state, hidden: action.type === "hide" };
    case "rate":
      return { ...state, rating: action.value };
    case "unrate":
      return { ...state, rating: null };
  }
}

function feedbackQuery(itemId: number, initial?: FeedbackState) {
  return queryOptions({
    queryKey: feedbackKey(itemId),
    queryFn: async () => (await apiFetch<{ items: FeedbackState[] }>(`/api/v1/me/feedback?item_ids=${itemId}`)).items[0] ?? noFeedback(itemId),
    initialData: initial,
    // A state the page rendered with is current until this tab changes it, and every change goes through here.
    staleTime: initial ? Infinity : undefined,
  });
}

export function useFeedbackState(itemId: number, initial?: FeedbackState): FeedbackState {
  return useQuery(feedbackQuery(itemId, initial)).data ?? initial ?? noFeedback(itemId);
}

/** How many of these items have a rating, live as the person rates them. */
export function useRatedCount(initial: FeedbackState[]): number {
  return useQueries({
    queries: initial.map((s) => feedbackQuery(s.item_id, s)),
    combine: (results) => results.filter((r) => r.data?.rating != null).length,
  });
}

export function useFeedback(itemId: number) {
  const qc = useQueryClient();
  const key = feedbackKey(itemId);
  return useMutation({
    mutationKey: key,
    mutationFn: (action: FeedbackAction) => apiFetch<FeedbackState>("/api/v1/me/feedback", { method: "POST", body: { item_id: itemId, ...action } }),
    onMutate: async (action) => {
      await qc.cancelQueries({ queryKey: key });
      const before = qc.getQueryData<FeedbackState>(key);
      qc.setQueryData<FeedbackState>(key, applyAction(before ?? noFeedback(itemId), action));
      return { before };
    },
    onError: (_err, _action, ctx) => {
      if (ctx?.before) qc.setQueryData(key, ctx.before);
      else void qc.invalidateQueries({ queryKey: key });
    },
    onSuccess: (state) => {
      // A later click still on its way already holds the newer optimistic state.
      if (qc.isMutating({ mutationKey: key, exact: true }) <= 1) qc.setQueryData(key, state);
    },
    onSettled: (_state, _err, action) => {
      void qc.invalidateQueries({ queryKey: ["recs"] });
      if (action.type === "hide" || action.type === "unhide") void qc.invalidateQueries({ queryKey: ["hidden"] });
    },
  });
}

/** The message of this item's latest feedback call if it failed, wherever on the page it was made. */
export function useFeedbackError(itemId: number): string | null {
  const states = useMutationState({ filters: { mutationKey: feedbackKey(itemId), exact: true }, select: (m) => m.state });
  const last = states.at(-1);
  return last?.status === "error" ? `Could not save: ${last.error?.message ?? "please try again"}` : null;
}
