"use client";

import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from "react";
import { buttonClass } from "@/components/ui/button";
import { CardHideContext, useFeedback, useFeedbackError, useFeedbackState, type FeedbackState } from "./use-feedback";

/** A movie card that gives way to an Undo button the moment its movie is hidden, here or in any other row. */
export function HideableCard({ itemId, title, initial, children }: { itemId: number; title: string; initial?: FeedbackState; children: ReactNode }) {
  const state = useFeedbackState(itemId, initial);
  const unhide = useFeedback(itemId);
  const error = useFeedbackError(itemId);
  const [hiddenOnArrival] = useState(state.hidden);
  const textId = useId();
  const card = useRef<HTMLDivElement>(null);
  // Focus follows the control that vanished: to Undo when this card hid itself, back into the card on Undo.
  const focusUndo = useRef(false);
  const focusCard = useRef(false);
  const onHide = useCallback(() => {
    focusUndo.current = true;
  }, []);

  useEffect(() => {
    if (state.hidden || !focusCard.current) return;
    focusCard.current = false;
    card.current?.querySelector<HTMLElement>('button[aria-label="Hide"]')?.focus();
  }, [state.hidden]);

  if (state.hidden) {
    return (
      <div className="flex flex-col items-start justify-center gap-2 rounded-lg border border-dashed border-stone-300 bg-stone-100/60 p-3 text-sm text-stone-600" data-testid="hidden-card">
        <p id={textId}>
          <span className="font-medium text-stone-800">{title}</span> is hidden{hiddenOnArrival ? "" : " and will not be recommended to you"}.
        </p>
        <button
          type="button"
          ref={(el) => {
            if (el && focusUndo.current) {
              focusUndo.current = false;
              el.focus();
            }
          }}
          aria-describedby={textId}
          onClick={() => {
            focusCard.current = true;
            unhide.mutate({ type: "unhide" });
          }}
          className={buttonClass("secondary", "px-2.5 py-1 text-xs")}
        >
          {hiddenOnArrival ? "Unhide" : "Undo"}
        </button>
        {error ? (
          <p role="alert" className="text-xs text-red-600">
            {error}
          </p>
        ) : null}
      </div>
    );
  }
  return (
    <CardHideContext value={onHide}>
      <div ref={card} className="contents">
        {children}
      </div>
    </CardHideContext>
  );
}
