import Link from "next/link";
import type { SessionUser } from "@/lib/auth/session";
import { MobileMenu } from "./mobile-menu";
import { NavLink } from "./nav-link";
import { SignOutButton } from "./sign-out-button";

const NAV = [
  { href: "/", label: "Home" },
  { href: "/movies", label: "Movies" },
];
const SIGNED_IN_NAV = [
  { href: "/music", label: "Music" },
  { href: "/ratings", label: "My ratings" },
  { href: "/jobs", label: "Jobs" },
  { href: "/experiments", label: "Experiments" },
  { href: "/settings/tokens", label: "API tokens" },
  { href: "/settings/hidden", label: "Hidden" },
];

const ADMIN_NAV = [
  { href: "/admin/imports", label: "Imports" },
  { href: "/logs", label: "Logs" },
];

// From which width the links fit on one line beside the account buttons (measured: people's eight links wrapped at
// 768 px, an admin's ten at 1024); narrower screens get the menu.
const WIDE = {
  guest: { row: "md:flex", menu: "md:hidden" },
  user: { row: "lg:flex", menu: "lg:hidden" },
  admin: { row: "xl:flex", menu: "xl:hidden" },
};

export function SiteHeader({ user }: { user: SessionUser | null }) {
  const links = user ? [...NAV, ...SIGNED_IN_NAV, ...(user.role === "admin" ? ADMIN_NAV : [])] : NAV;
  const wide = WIDE[user ? (user.role === "admin" ? "admin" : "user") : "guest"];
  return (
    <header className="sticky top-0 z-20 border-b border-stone-200 bg-white/90 backdrop-blur">
      <div className="mx-auto flex min-h-14 max-w-6xl items-center gap-x-4 px-4 py-2 xl:gap-x-6">
        <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight text-stone-900">
          <span aria-hidden className="grid h-7 w-7 place-items-center rounded-full bg-brand-500 text-sm text-white">t</span>
          Tastebud
        </Link>
        {/* Each link stays on one line; should the row still be too narrow, it wraps rather than overflow. */}
        <nav aria-label="Main" className={`hidden min-w-0 flex-1 flex-wrap items-center gap-0.5 ${wide.row}`}>
          {links.map((l) => (
            <NavLink key={l.href} href={l.href} className="whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm text-stone-700 hover:bg-stone-100">
              {l.label}
            </NavLink>
          ))}
        </nav>
        <div className={`ml-auto hidden shrink-0 items-center gap-3 ${wide.row}`}>
          {user ? (
            <>
              <span className="max-w-[10rem] truncate text-sm text-stone-600 xl:max-w-[14rem]" data-testid="signed-in-user">
                {user.name ?? user.email}
                {user.role === "admin" ? <span className="ml-1.5 rounded bg-stone-800 px-1.5 py-0.5 text-xs text-white">admin</span> : null}
              </span>
              <SignOutButton className="whitespace-nowrap rounded-md border border-stone-300 px-3 py-1.5 text-sm hover:bg-stone-100" />
            </>
          ) : (
            <>
              <Link href="/signin" className="rounded-md px-3 py-1.5 text-sm text-stone-700 hover:bg-stone-100">
                Sign in
              </Link>
              <Link href="/signup" className="rounded-md bg-brand-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-800">
                Sign up
              </Link>
            </>
          )}
        </div>
        <MobileMenu className={`group relative ml-auto ${wide.menu}`}>
          <summary className="flex cursor-pointer list-none items-center rounded-md border border-stone-300 px-3 py-1.5 text-sm" aria-label="Menu">
            Menu
          </summary>
          <div className="absolute right-0 mt-2 w-60 rounded-lg border border-stone-200 bg-white p-2 shadow-lg">
            {user ? (
              <p className="break-all px-3 py-2 text-xs text-stone-500" data-testid="signed-in-user-mobile">
                Signed in as {user.email}
              </p>
            ) : null}
            {links.map((l) => (
              <NavLink key={l.href} href={l.href} className="block rounded-md px-3 py-2 text-sm hover:bg-stone-100">
                {l.label}
              </NavLink>
            ))}
            <div className="my-1 border-t border-stone-100" />
            {user ? (
              <SignOutButton className="block w-full rounded-md px-3 py-2 text-left text-sm hover:bg-stone-100" />
            ) : (
              <>
                <Link href="/signin" className="block rounded-md px-3 py-2 text-sm hover:bg-stone-100">
                  Sign in
                </Link>
                <Link href="/signup" className="block rounded-md px-3 py-2 text-sm hover:bg-stone-100">
                  Sign up
                </Link>
              </>
            )}
          </div>
        </MobileMenu>
      </div>
    </header>
  );
}
