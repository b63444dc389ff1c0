"use client";

import Link from "next/link";
import type { CSSProperties, ReactNode } from "react";

/**
 * A card's link to its film. For a signed-in person (`track`) opening it is a "click" event, which a running A/B
 * test counts for the variant that showed the film; sent with keepalive, so the page may leave before it lands.
 */
export function CardLink({ itemId, track, className, style, children }: { itemId: number; track: boolean; className?: string; style?: CSSProperties; children: ReactNode }) {
  const onClick = () => {
    if (!track) return;
    void fetch("/api/v1/me/feedback", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ item_id: itemId, type: "click" }),
      keepalive: true,
    }).catch(() => undefined);
  };
  return (
    <Link href={`/movies/${itemId}`} className={className} style={style} onClick={onClick}>
      {children}
    </Link>
  );
}
