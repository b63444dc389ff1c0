"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

/** A header link that says, to the eye and to screen readers (aria-current), whether it is the section being shown. */
export function NavLink({ href, className, children }: { href: string; className: string; children: ReactNode }) {
  const pathname = usePathname();
  const current = href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link href={href} aria-current={current ? "page" : undefined} className={`${className} ${current ? "bg-stone-100 font-medium text-stone-900" : ""}`}>
      {children}
    </Link>
  );
}
