import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { currentUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Sign up" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const given = (await searchParams).callbackUrl;
  const callbackUrl = safeCallbackUrl(given);
  if (await currentUser()) redirect(callbackUrl);
  // A new account has rated nothing: unless it came here on its way somewhere, it starts by rating a dozen films.
  return <SignUpForm callbackUrl={callbackUrl} afterSignUp={given ? callbackUrl : "/onboarding"} />;
}
