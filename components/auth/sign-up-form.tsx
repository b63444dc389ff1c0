"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { registerAccount } from "@/app/(auth)/signup/register-account";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

type Errors = Partial<Record<"email" | "password" | "name" | "confirm" | "form", string>>;

/** `callbackUrl`: where signing in instead leads; `afterSignUp`: where the new account goes. */
export function SignUpForm({ callbackUrl, afterSignUp }: { callbackUrl: string; afterSignUp: string }) {
  const router = useRouter();
  const [errors, setErrors] = useState<Errors>({});
  const [pending, setPending] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "");
    if (password !== String(form.get("confirm") ?? "")) {
      setErrors({ confirm: "Passwords do not match" });
      return;
    }
    setPending(true);
    setErrors({});
    try {
      const result = await registerAccount({ email, password, name });
      if (!result.ok) {
        setErrors(result.fieldErrors);
        return;
      }
      const signedIn = await signIn("credentials", { email, password, redirect: false });
      if (signedIn?.error) {
        setErrors({ form: "Your account was created, but signing in failed. Try signing in." });
        return;
      }
      router.push(afterSignUp);
      router.refresh();
    } catch {
      setErrors({ form: "Could not reach Tastebud. Check your connection and try again." });
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-4">
      <h1 className="text-xl font-semibold">Create your account</h1>
      {errors.form ? <Alert>{errors.form}</Alert> : null}
      <Field id="name" name="name" label="Name (optional)" autoComplete="name" error={errors.name} />
      <Field id="email" name="email" type="email" label="Email" autoComplete="email" required error={errors.email} />
      <Field id="password" name="password" type="password" label="Password" autoComplete="new-password" required minLength={8} error={errors.password} />
      <Field id="confirm" name="confirm" type="password" label="Confirm password" autoComplete="new-password" required error={errors.confirm} />
      <Button type="submit" disabled={pending} className="w-full">
        {pending ? "Creating account..." : "Sign up"}
      </Button>
      <p className="text-center text-sm text-stone-600">
        Already have an account?{" "}
        <Link href={`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`} className="font-medium text-brand-700 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
