"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

// Where a page that needs an account sent the visitor, in words.
const DESTINATIONS: [RegExp, string][] = [
  [/^\/ratings(?:[/?]|$)/, "see your ratings"],
  [/^\/movies\/\d+/, "rate, like or hide this movie"],
  [/^\/music(?:[/?]|$)/, "see your music"],
  [/^\/jobs(?:[/?]|$)/, "see your jobs"],
  [/^\/experiments(?:[/?]|$)/, "run and read experiments"],
  [/^\/settings\/tokens/, "manage your API tokens"],
  [/^\/settings\/hidden/, "see what you have hidden"],
  [/^\/onboarding/, "rate your first movies"],
  [/^\/admin\//, "use the admin pages"],
  [/^\/logs(?:[/?]|$)/, "read the logs"],
];
const destination = (url: string) => DESTINATIONS.find(([re]) => re.test(url))?.[1] ?? "continue to the page you asked for";

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const router = useRouter();
  const [error, setError] = useState<{ email?: string; password?: string; form?: string }>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const missing = {
      email: email ? undefined : "Enter your email",
      password: password ? undefined : "Enter your password",
    };
    if (missing.email || missing.password) {
      setError(missing);
      return;
    }
    setPending(true);
    setError({});
    try {
      const result = await signIn("credentials", { email, password, redirect: false });
      if (!result || result.error) {
        setError({ form: "Wrong email or password." });
        return;
      }
      router.push(callbackUrl);
      router.refresh();
    } catch {
      setError({ form: "Could not reach Tastebud. Check your connection and try again." });
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <h1 className="text-xl font-semibold">Sign in</h1>
      {callbackUrl !== "/" ? (
        <p className="text-sm text-stone-600" data-testid="signin-reason">
          Sign in to {destination(callbackUrl)}.
        </p>
      ) : null}
      {error.form ? <Alert>{error.form}</Alert> : null}
      <Field id="email" name="email" type="email" label="Email" autoComplete="email" required error={error.email} />
      <Field id="password" name="password" type="password" label="Password" autoComplete="current-password" required error={error.password} />
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? "Signing in..." : "Sign in"}
      </Button>
      <p className="text-center text-sm text-stone-600">
        New to Tastebud?{" "}
        <Link href={`/signup?callbackUrl=${encodeURIComponent(callbackUrl)}`} className="font-medium text-brand-700 hover:underline">
          Create an account
        </Link>
      </p>
    </form>
  );
}
