"use client";

import { useContext, useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { CardHideContext, useFeedback, useFeedbackError, useFeedbackState, type FeedbackAction, type FeedbackState } from "./use-feedback";

type Variant = "full" | "compact" | "rating";

/** Like, dislike, hide and a half-star rating for one item, shown as saved before the server answers. */
export function FeedbackButtons({
  itemId,
  initial,
  onHidden,
  variant = "full",
}: {
  itemId: number;
  initial?: FeedbackState;
  onHidden?: () => void;
  variant?: Variant;
}) {
  const state = useFeedbackState(itemId, initial);
  const feedback = useFeedback(itemId);
  const error = useFeedbackError(itemId);
  const cardHidden = useContext(CardHideContext);

  function act(action: FeedbackAction) {
    if (action.type === "hide") {
      onHidden?.();
      cardHidden?.();
    }
    feedback.mutate(action);
  }
  const react = (reaction: "like" | "dislike") => act({ type: state.reaction === reaction ? "unlike" : reaction });
  // The rating just cleared here, until the next one: its Undo puts it back (the clear is one tap beside the stars).
  const [cleared, setCleared] = useState<number | null>(null);
  const rate = (value: number) => {
    setCleared(null);
    act({ type: "rate", value });
  };
  // The clear button goes once the rating does: a keyboard user's focus moves to the Undo in its place rather than
  // to the top of the page.
  const undo = useRef<HTMLButtonElement>(null);
  const focusUndo = useRef(false);
  useEffect(() => {
    if (focusUndo.current && state.rating === null && cleared !== null) {
      focusUndo.current = false;
      undo.current?.focus();
    }
  }, [state.rating, cleared]);
  const unrate = (byKeyboard: boolean) => {
    focusUndo.current = byKeyboard;
    setCleared(state.rating);
    act({ type: "unrate" });
  };
  const clearButton = (text?: string) =>
    state.rating !== null ? (
      <ClearRating onClear={unrate} text={text} />
    ) : cleared !== null ? (
      <button
        ref={undo}
        type="button"
        onClick={() => rate(cleared)}
        className={`rounded-md px-1.5 py-0.5 font-medium text-brand-700 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 pointer-coarse:py-1.5 ${text ? "text-sm" : "text-xs"}`}
      >
        Undo
      </button>
    ) : null;
  const errorLine = error ? (
    <p role="alert" className="text-xs text-red-600">
      {error}
    </p>
  ) : null;

  if (variant === "rating") {
    return (
      <div className="space-y-1">
        {/* On a narrow card the rating's text goes under the stars rather than past the card's edge. */}
        <div className="flex flex-wrap items-center justify-between gap-x-2 gap-y-1">
          <StarRating value={state.rating} onRate={rate} size="md" />
          <span className="flex items-center gap-1 whitespace-nowrap text-xs tabular-nums text-stone-500">
            <span aria-live="polite">{state.rating !== null ? `★ ${state.rating}` : "Not rated"}</span>
            {clearButton()}
          </span>
        </div>
        {errorLine}
      </div>
    );
  }

  const toggles = (
    <>
      <Toggle label="Like" pressed={state.reaction === "like"} tone="like" compact={variant === "compact"} onClick={() => react("like")} icon={<ThumbIcon />} />
      <Toggle label="Dislike" pressed={state.reaction === "dislike"} tone="dislike" compact={variant === "compact"} onClick={() => react("dislike")} icon={<ThumbIcon down />} />
      <Toggle
        label="Hide"
        text={state.hidden ? "Hidden" : "Hide"}
        pressed={state.hidden}
        tone="hide"
        compact={variant === "compact"}
        onClick={() => act({ type: state.hidden ? "unhide" : "hide" })}
        icon={<HideIcon />}
      />
    </>
  );

  if (variant === "compact") {
    return (
      <div className="space-y-1">
        <div className="flex flex-wrap items-center justify-between gap-x-2 gap-y-1">
          {/* The filled stars show the rating; its clear button takes the place a number would, so a card keeps its
              height when rated (the number pushed the buttons to a second line), and wraps under the stars if need be. */}
          <div className="flex flex-wrap items-center gap-x-1 gap-y-1">
            <StarRating value={state.rating} onRate={rate} size="sm" />
            {clearButton()}
          </div>
          <div className="flex items-center gap-0.5">{toggles}</div>
        </div>
        {errorLine}
      </div>
    );
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">{toggles}</div>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <StarRating value={state.rating} onRate={rate} size="lg" />
        <span className="text-sm text-stone-600" aria-live="polite">
          {state.rating !== null ? `You rated it ${state.rating} of 5` : "Not rated yet"}
        </span>
        {clearButton("Clear rating")}
      </div>
      {state.hidden ? <p className="text-sm text-stone-500">Hidden: it will not be recommended to you.</p> : null}
      {errorLine}
    </div>
  );
}

/** Takes the rating away: the film is unrated again (and can be recommended again). */
function ClearRating({ onClear, text }: { onClear: (byKeyboard: boolean) => void; text?: string }) {
  return (
    <button
      type="button"
      aria-label={text ? undefined : "Clear rating"}
      title={text ? undefined : "Clear rating"}
      // A click from the keyboard (Enter, Space) has no pointer and a detail of 0.
      onClick={(e) => onClear(e.detail === 0)}
      className={`inline-flex items-center justify-center rounded-md focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 ${
        text
          ? "bg-white px-2.5 py-1 text-sm font-medium text-stone-700 ring-1 ring-stone-300 hover:bg-stone-100 pointer-coarse:py-2"
          : "h-6 w-6 text-stone-500 hover:bg-stone-100 hover:text-stone-900 pointer-coarse:h-7 pointer-coarse:w-7"
      }`}
    >
      {text ?? (
        <svg viewBox="0 0 24 24" aria-hidden className="h-3.5 w-3.5 fill-none stroke-current" strokeWidth={2.5} strokeLinecap="round">
          <path d="M6 6l12 12M18 6 6 18" />
        </svg>
      )}
    </button>
  );
}

const TONES = {
  like: "bg-emerald-50 text-emerald-700 ring-emerald-300",
  dislike: "bg-red-50 text-red-700 ring-red-300",
  hide: "bg-stone-800 text-white ring-stone-800",
};

function Toggle({
  label,
  text = label,
  pressed,
  tone,
  compact,
  icon,
  onClick,
}: {
  label: string;
  text?: string;
  pressed: boolean;
  tone: keyof typeof TONES;
  compact: boolean;
  icon: ReactNode;
  onClick: () => void;
}) {
  const look = pressed ? `ring-1 ${TONES[tone]}` : compact ? "text-stone-500 hover:bg-stone-100 hover:text-stone-900" : "bg-white text-stone-700 ring-1 ring-stone-300 hover:bg-stone-100";
  const size = compact ? "h-8 w-8 justify-center" : "gap-1.5 px-3 py-1.5 text-sm font-medium";
  return (
    <button
      type="button"
      aria-label={label}
      aria-pressed={pressed}
      title={compact ? label : undefined}
      onClick={onClick}
      className={`inline-flex items-center rounded-md transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 ${size} ${look}`}
    >
      {icon}
      {compact ? null : <span>{text}</span>}
    </button>
  );
}

const STEPS = [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5];
// On touch screens the stars grow, so each half-star target is 14-20 px wide instead of 10-12.
// The card sizes keep five stars inside a two-column card on a phone or tablet (160 px at most).
const STAR_SIZE = { sm: "h-5 w-5 pointer-coarse:h-7 pointer-coarse:w-7", md: "h-6 w-6 pointer-coarse:h-8 pointer-coarse:w-8", lg: "h-8 w-8 pointer-coarse:h-10 pointer-coarse:w-10" };
const KEY_STEP: Record<string, (v: number) => number> = {
  ArrowRight: (v) => v + 0.5,
  ArrowUp: (v) => v + 0.5,
  ArrowLeft: (v) => v - 0.5,
  ArrowDown: (v) => v - 0.5,
  Home: () => 0.5,
  End: () => 5,
};

/**
 * Five stars, each split into two buttons for half stars. One of the ten is in the tab order (the current rating);
 * arrow keys move between them and show what Enter would give, so a card costs one tab stop, not ten.
 */
function StarRating({ value, onRate, size }: { value: number | null; onRate: (value: number) => void; size: keyof typeof STAR_SIZE }) {
  const [preview, setPreview] = useState<number | null>(null);
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const shown = preview ?? value ?? 0;
  const tabStop = value ?? STEPS[0];

  function onKeyDown(e: KeyboardEvent<HTMLButtonElement>, v: number) {
    const step = KEY_STEP[e.key];
    if (!step) return;
    e.preventDefault();
    const next = Math.min(5, Math.max(0.5, step(v)));
    buttons.current[STEPS.indexOf(next)]?.focus();
  }

  return (
    <div role="group" aria-label="Your rating" className="flex items-center" onMouseLeave={() => setPreview(null)}>
      {[1, 2, 3, 4, 5].map((star) => (
        <span key={star} className={`relative ${STAR_SIZE[size]}`}>
          <StarShape fill={shown >= star ? 1 : shown >= star - 0.5 ? 0.5 : 0} size={STAR_SIZE[size]} faint={preview !== null && preview !== value} />
          {[star - 0.5, star].map((v) => (
            <button
              key={v}
              ref={(el) => {
                buttons.current[STEPS.indexOf(v)] = el;
              }}
              type="button"
              aria-label={`Rate ${v} star${v === 1 ? "" : "s"}`}
              aria-pressed={value === v}
              tabIndex={v === tabStop ? 0 : -1}
              onClick={() => onRate(v)}
              onKeyDown={(e) => onKeyDown(e, v)}
              onMouseEnter={() => setPreview(v)}
              onFocus={() => setPreview(v)}
              onBlur={() => setPreview(null)}
              className={`absolute inset-y-0 w-1/2 cursor-pointer rounded-sm focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 ${v === star ? "right-0" : "left-0"}`}
            />
          ))}
        </span>
      ))}
    </div>
  );
}

const STAR_PATH =
  "M11.5 2.3a.53.53 0 0 1 .95 0l2.31 4.68a2.12 2.12 0 0 0 1.6 1.16l5.16.76a.53.53 0 0 1 .3.9l-3.74 3.64a2.12 2.12 0 0 0-.61 1.88l.88 5.14a.53.53 0 0 1-.77.56l-4.62-2.43a2.12 2.12 0 0 0-1.97 0L6.4 21.01a.53.53 0 0 1-.77-.56l.88-5.14a2.12 2.12 0 0 0-.61-1.88L2.16 9.8a.53.53 0 0 1 .3-.91l5.16-.75a2.12 2.12 0 0 0 1.6-1.16z";

function StarShape({ fill, size, faint }: { fill: 0 | 0.5 | 1; size: string; faint: boolean }) {
  return (
    <span aria-hidden className="pointer-events-none absolute inset-0">
      <svg viewBox="0 0 24 24" className={`${size} fill-stone-200`}>
        <path d={STAR_PATH} />
      </svg>
      <span className="absolute inset-y-0 left-0 overflow-hidden" style={{ width: `${fill * 100}%` }}>
        <svg viewBox="0 0 24 24" className={`${size} max-w-none ${faint ? "fill-amber-300" : "fill-amber-400"}`}>
          <path d={STAR_PATH} />
        </svg>
      </span>
    </span>
  );
}

function ThumbIcon({ down = false }: { down?: boolean }) {
  return (
    <svg viewBox="0 0 24 24" aria-hidden className={`h-4 w-4 fill-none stroke-current ${down ? "rotate-180" : ""}`} strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
      <path d="M7 10v12" />
      <path d="M15 5.88 14 10h5.83a2 2 0 0 1 1.92 2.56l-2.33 8A2 2 0 0 1 17.5 22H4a2 2 0 0 1-2-2v-8a2 2 0 0 1 2-2h2.76a2 2 0 0 0 1.79-1.11L12 2a3.13 3.13 0 0 1 3 3.88Z" />
    </svg>
  );
}

function HideIcon() {
  return (
    <svg viewBox="0 0 24 24" aria-hidden className="h-4 w-4 fill-none stroke-current" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
      <path d="M10.7 5.1a10.7 10.7 0 0 1 11.2 6.6 1 1 0 0 1 0 .7 10.7 10.7 0 0 1-1.4 2.5" />
      <path d="M14.1 14.2a3 3 0 0 1-4.2-4.2" />
      <path d="M17.5 17.5a10.8 10.8 0 0 1-15.4-5.2 1 1 0 0 1 0-.7 10.8 10.8 0 0 1 4.4-5.1" />
      <path d="m2 2 20 20" />
    </svg>
  );
}
