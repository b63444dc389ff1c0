"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { apiFetch } from "@/components/api-fetch";
import { dropFromPages, ShowMore, usePagedList } from "@/components/paged-list";

type Token = { id: number; name: string; prefix: string; scopes: string[]; created_at: string; last_used_at: string | null };
type Created = Token & { token: string };


const SCOPE_HELP: Record<string, string> = {
  read: "read the catalog, your ratings and recommendations",
  write: "rate, like, hide and send events",
  admin: "import data, clean up, see every job",
};

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) : "never";
}

export function ApiTokens({ isAdmin }: { isAdmin: boolean }) {
  const qc = useQueryClient();
  const [created, setCreated] = useState<Created | null>(null);
  const [copied, setCopied] = useState(false);
  // Checked here first, so people read what to fix beside the field rather than the API's message about the body.
  const [problems, setProblems] = useState<{ name?: string; scopes?: string }>({});
  const { query: tokens, items: list } = usePagedList<Token>(["tokens"], "/api/v1/tokens", 50);
  const create = useMutation({
    mutationFn: (input: { name: string; scopes: string[] }) => apiFetch<Created>("/api/v1/tokens", { method: "POST", body: input }),
    onSuccess: (token) => {
      setCreated(token);
      setCopied(false);
      void qc.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => apiFetch<void>(`/api/v1/tokens/${id}`, { method: "DELETE" }),
    onMutate: async (id) => {
      await qc.cancelQueries({ queryKey: ["tokens"] });
      return { before: dropFromPages<Token>(qc, ["tokens"], (t) => t.id === id) };
    },
    onError: (_e, _id, ctx) => qc.setQueryData(["tokens"], ctx?.before),
    onSettled: () => void qc.invalidateQueries({ queryKey: ["tokens"] }),
  });

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const element = e.currentTarget;
    const form = new FormData(element);
    const name = String(form.get("name") ?? "").trim();
    const chosen = form.getAll("scopes").map(String);
    const found = { name: name ? undefined : "Give the token a name", scopes: chosen.length ? undefined : "Pick at least one scope" };
    setProblems(found);
    if (found.name || found.scopes) return;
    create.mutate({ name, scopes: chosen }, { onSuccess: () => element.reset() });
  }

  const scopes = isAdmin ? ["read", "write", "admin"] : ["read", "write"];
  return (
    <div className="space-y-8">
      <form onSubmit={onSubmit} className="space-y-4 rounded-lg border border-stone-200 bg-white p-4" noValidate>
        <h2 className="font-semibold">Create a token</h2>
        {create.error ? <Alert>{create.error.message}</Alert> : null}
        <Field id="token-name" name="name" label="Name" placeholder="e.g. laptop script" maxLength={80} required error={problems.name} />
        <fieldset className="space-y-1.5" aria-describedby={problems.scopes ? "token-scopes-error" : undefined}>
          <legend className="text-sm font-medium text-stone-700">Scopes</legend>
          {scopes.map((s) => (
            <label key={s} className="flex items-start gap-2 text-sm">
              <input type="checkbox" name="scopes" value={s} defaultChecked={s === "read"} className="mt-0.5" />
              <span>
                <code className="font-semibold">{s}</code> <span className="text-stone-500">- {SCOPE_HELP[s]}</span>
              </span>
            </label>
          ))}
          {problems.scopes ? (
            <p id="token-scopes-error" className="text-sm text-red-600">
              {problems.scopes}
            </p>
          ) : null}
        </fieldset>
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating..." : "Create token"}
        </Button>
      </form>

      {created ? (
        <div className="space-y-2 rounded-lg border border-emerald-300 bg-emerald-50 p-4" data-testid="new-token">
          <p className="text-sm font-medium text-emerald-900">Copy your new token now. It will not be shown again.</p>
          <div className="flex flex-col gap-2 sm:flex-row">
            <code className="block flex-1 overflow-x-auto rounded bg-white px-3 py-2 text-sm" data-testid="new-token-value">
              {created.token}
            </code>
            <Button
              type="button"
              variant="secondary"
              onClick={() => void navigator.clipboard?.writeText(created.token).then(() => setCopied(true))}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
          </div>
          <p className="text-xs text-emerald-900">
            Use it as <code>Authorization: Bearer {created.prefix}_...</code>
          </p>
        </div>
      ) : null}

      <section className="space-y-3">
        <h2 className="font-semibold">Your tokens</h2>
        {tokens.isLoading ? <p className="text-sm text-stone-500">Loading...</p> : null}
        {tokens.error ? <Alert>{tokens.error.message}</Alert> : null}
        {revoke.error ? <Alert>{revoke.error.message}</Alert> : null}
        {list && list.length === 0 ? <p className="text-sm text-stone-500">No tokens yet.</p> : null}
        {list && list.length > 0 ? (
          <ul className="divide-y divide-stone-200 rounded-lg border border-stone-200 bg-white">
            {list.map((t) => (
              <li key={t.id} className="flex flex-col gap-2 p-3 sm:flex-row sm:items-center" data-testid="token-row">
                <div className="min-w-0 flex-1">
                  <p className="font-medium">{t.name}</p>
                  <p className="text-xs text-stone-500">
                    <code>{t.prefix}_...</code> · {t.scopes.join(", ")} · created {when(t.created_at)} · last used {when(t.last_used_at)}
                  </p>
                </div>
                <Button
                  type="button"
                  variant="danger"
                  onClick={() => {
                    if (window.confirm(`Revoke "${t.name}"? Programs using it will stop working.`)) revoke.mutate(t.id);
                  }}
                >
                  Revoke
                </Button>
              </li>
            ))}
          </ul>
        ) : null}
        <ShowMore query={tokens} />
      </section>
    </div>
  );
}
