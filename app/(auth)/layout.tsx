import Link from "next/link";
import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-10">
      <Link href="/" className="mb-6 flex items-center gap-2 text-xl font-semibold">
        <span aria-hidden className="grid h-8 w-8 place-items-center rounded-full bg-brand-500 text-white">t</span>
        Tastebud
      </Link>
      <div className="w-full max-w-sm rounded-xl border border-stone-200 bg-white p-6 shadow-sm">{children}</div>
    </div>
  );
}
