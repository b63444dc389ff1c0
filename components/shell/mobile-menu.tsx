"use client";

import { usePathname } from "next/navigation";
import { useEffect, useRef, type ReactNode } from "react";

/**
 * The narrow-screen menu: a plain <details>, so it opens before any JavaScript has loaded. The header stays on screen
 * across client-side navigation, so once scripts run the menu closes itself when one of its links is followed (or the
 * page changes otherwise), on Escape, on a tap outside it, and when keyboard focus leaves it.
 */
export function MobileMenu({ className, children }: { className: string; children: ReactNode }) {
  const menu = useRef<HTMLDetailsElement>(null);
  const pathname = usePathname();
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [pathname]);
  useEffect(() => {
    const outside = (e: PointerEvent) => {
      if (menu.current?.open && !menu.current.contains(e.target as Node)) menu.current.open = false;
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, []);
  return (
    <details
      ref={menu}
      className={className}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest("a") && menu.current) menu.current.open = false;
      }}
      onBlur={(e) => {
        // Tabbed out of the menu: it closes rather than stay open over the page the focus went to.
        if (menu.current?.open && e.relatedTarget instanceof Node && !menu.current.contains(e.relatedTarget)) menu.current.open = false;
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape" && menu.current?.open) {
          menu.current.open = false;
          menu.current.querySelector("summary")?.focus();
        }
      }}
    >
      {children}
    </details>
  );
}
