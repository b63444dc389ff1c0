"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { apiFetch } from "@/components/api-fetch";
import { JobProgress, ProgressBar } from "@/components/jobs/job-progress";
import { Alert } from "@/components/ui/alert";
import { Button, buttonClass } from "@/components/ui/button";
import { Field, inputClass, Select } from "@/components/ui/field";
import { DATA_SOURCES, EVAL_RECOMMENDERS, SPLITS } from "@/lib/experiments/schemas";
import { DEFAULT_WEIGHTS } from "@/lib/recs/recommend";
import { ExperimentStatusBadge, formatWhen, isRunningEvaluation, useCancelExperiment, type Experiment } from "./experiment-result";

export function ExperimentLab({ isAdmin }: { isAdmin: boolean }) {
  return (
    <div className="space-y-8">
      <div className={`grid gap-6 ${isAdmin ? "lg:grid-cols-2" : "lg:max-w-2xl"}`}>
        <OfflineForm />
        {isAdmin ? <AbForm /> : null}
      </div>
      <ExperimentList isAdmin={isAdmin} />
    </div>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// New offline evaluation

const SOURCE_LABEL: Record<(typeof DATA_SOURCES)[number], string> = {
  all: "All ratings",
  demo: "Demo data",
  movielens: "MovieLens",
  movietweetings: "MovieTweetings",
  legacy: "Legacy import",
};
const SPLIT_LABEL: Record<(typeof SPLITS)[number], string> = {
  temporal: "Temporal (latest ratings held out)",
  random: "Random",
  "leave-last-out": "Leave last out",
};

type OfflineDraft = {
  name: string;
  recommenders: string[];
  source: string;
  split: string;
  test_fraction: string;
  folds: string;
  k: string;
  threshold: string;
  max_users: string;
  factors: string;
  iterations: string;
  neighbors: string;
};

const OFFLINE_DEFAULTS: OfflineDraft = {
  name: "Offline evaluation",
  recommenders: [...EVAL_RECOMMENDERS],
  source: "all",
  split: "temporal",
  test_fraction: "0.2",
  folds: "1",
  k: "5, 10, 20",
  threshold: "0.7",
  max_users: "3000",
  factors: "32",
  iterations: "10",
  neighbors: "50",
};

const DISABLABLE_INPUT = `${inputClass} disabled:cursor-not-allowed disabled:bg-stone-100 disabled:text-stone-400`;

type DraftErrors = Partial<Record<keyof OfflineDraft, string>>;

/** "5, 10, 20" -> [5, 10, 20], or a message saying what is wrong. */
export function parseKs(text: string): number[] | string {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return "Give at least one k, like 10";
  if (parts.some((p) => !/^\d+$/.test(p))) return "Use whole numbers separated by commas, like 5, 10, 20";
  const ks = [...new Set(parts.map(Number))].sort((a, b) => a - b);
  if (ks.some((k) => k < 1 || k > 100)) return "Each k must be between 1 and 100";
  if (ks.length > 5) return "At most 5 values of k";
  return ks;
}

function numberIn(text: string, min: number, max: number, integer: boolean): number | string {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) return "Enter a number";
  if (integer && !Number.isInteger(n)) return "Enter a whole number";
  if (n < min || n > max) return `Between ${min} and ${max}`;
  return n;
}

function validateOffline(d: OfflineDraft): { body: Record<string, unknown> } | { errors: DraftErrors } {
  const errors: DraftErrors = {};
  const take = (key: keyof OfflineDraft, v: number | number[] | string) => {
    if (typeof v === "string") errors[key] = v;
    return v;
  };
  const random = d.split === "random";
  const body = {
    kind: "offline",
    name: d.name.trim() || OFFLINE_DEFAULTS.name,
    recommenders: d.recommenders,
    source: d.source,
    split: d.split,
    test_fraction: d.split === "leave-last-out" ? 0.2 : take("test_fraction", numberIn(d.test_fraction, 0.05, 0.5, false)),
    folds: random ? take("folds", numberIn(d.folds, 1, 5, true)) : 1,
    k: take("k", parseKs(d.k)),
    threshold: take("threshold", numberIn(d.threshold, 0, 1, false)),
    max_users: take("max_users", numberIn(d.max_users, 10, 100_000, true)),
    params: {
      factors: take("factors", numberIn(d.factors, 2, 256, true)),
      iterations: take("iterations", numberIn(d.iterations, 1, 50, true)),
      neighbors: take("neighbors", numberIn(d.neighbors, 5, 500, true)),
    },
  };
  if (d.recommenders.length === 0) errors.recommenders = "Pick at least one recommender";
  return Object.keys(errors).length ? { errors } : { body };
}

/** A labelled select; options are [value, label] pairs. */
export function SelectField({ id, label, value, onChange, options }: { id: string; label: string; value: string; onChange: (e: { target: { value: string } }) => void; options: [string, string][] }) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-stone-700">
        {label}
      </label>
      <Select id={id} value={value} onChange={onChange}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </Select>
    </div>
  );
}

function OfflineForm() {
  const router = useRouter();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<OfflineDraft>(OFFLINE_DEFAULTS);
  const [errors, setErrors] = useState<DraftErrors>({});
  const [started, setStarted] = useState<Experiment | null>(null);
  const set = (key: keyof OfflineDraft) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [key]: e.target.value }));
  const start = useMutation({
    mutationFn: (body: Record<string, unknown>) => apiFetch<Experiment>("/api/v1/experiments", { method: "POST", body }),
    onSuccess: (exp) => {
      setStarted(exp);
      void qc.invalidateQueries({ queryKey: ["experiments"] });
    },
  });

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const checked = validateOffline(draft);
    if ("errors" in checked) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    setStarted(null);
    start.mutate(checked.body);
  }

  function toggle(name: string, on: boolean) {
    setDraft((d) => ({ ...d, recommenders: on ? EVAL_RECOMMENDERS.filter((r) => r === name || d.recommenders.includes(r)) : d.recommenders.filter((r) => r !== name) }));
  }

  return (
    <section className="space-y-4 rounded-lg border border-stone-200 bg-white p-4" aria-labelledby="offline-heading">
      <div>
        <h2 id="offline-heading" className="font-semibold">
          New offline evaluation
        </h2>
        <p className="text-sm text-stone-500">Hold out some ratings, train each recommender on the rest and score how well it finds them.</p>
      </div>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <Field id="offline-name" label="Name" value={draft.name} onChange={set("name")} maxLength={120} />
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-stone-700">Recommenders</legend>
          <div className="grid grid-cols-2 gap-x-4 gap-y-1 sm:grid-cols-3">
            {EVAL_RECOMMENDERS.map((r) => (
              <label key={r} className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="recommenders" value={r} checked={draft.recommenders.includes(r)} onChange={(e) => toggle(r, e.target.checked)} className="accent-brand-600" />
                {r}
              </label>
            ))}
          </div>
          {errors.recommenders ? <p className="text-sm text-red-600">{errors.recommenders}</p> : null}
        </fieldset>
        <div className="grid gap-4 sm:grid-cols-2">
          <SelectField id="offline-source" label="Data source" value={draft.source} onChange={set("source")} options={DATA_SOURCES.map((v) => [v, SOURCE_LABEL[v]])} />
          <SelectField id="offline-split" label="Split" value={draft.split} onChange={set("split")} options={SPLITS.map((v) => [v, SPLIT_LABEL[v]])} />
          <Field
            id="offline-test-fraction"
            label="Test fraction"
            type="number"
            min={0.05}
            max={0.5}
            step={0.05}
            value={draft.test_fraction}
            onChange={set("test_fraction")}
            disabled={draft.split === "leave-last-out"}
            className={DISABLABLE_INPUT}
            error={errors.test_fraction}
          />
          <Field
            id="offline-folds"
            label="Folds (random split only)"
            type="number"
            min={1}
            max={5}
            step={1}
            value={draft.split === "random" ? draft.folds : "1"}
            onChange={set("folds")}
            disabled={draft.split !== "random"}
            className={DISABLABLE_INPUT}
            error={errors.folds}
          />
          <Field id="offline-k" label="k values" inputMode="numeric" placeholder="5, 10, 20" value={draft.k} onChange={set("k")} error={errors.k} />
          <Field id="offline-threshold" label="Relevance threshold (0-1)" type="number" min={0} max={1} step={0.05} value={draft.threshold} onChange={set("threshold")} error={errors.threshold} />
          <Field id="offline-max-users" label="Max users" type="number" min={10} max={100000} step={100} value={draft.max_users} onChange={set("max_users")} error={errors.max_users} />
        </div>
        <details className="rounded-md border border-stone-200 px-3 py-2 text-sm" open={Boolean(errors.factors || errors.iterations || errors.neighbors) || undefined}>
          <summary className="cursor-pointer font-medium text-stone-700">Model parameters</summary>
          <div className="mt-3 grid gap-4 sm:grid-cols-3">
            <Field id="offline-factors" label="ALS factors" type="number" min={2} max={256} value={draft.factors} onChange={set("factors")} error={errors.factors} />
            <Field id="offline-iterations" label="ALS iterations" type="number" min={1} max={50} value={draft.iterations} onChange={set("iterations")} error={errors.iterations} />
            <Field id="offline-neighbors" label="Neighbours" type="number" min={5} max={500} value={draft.neighbors} onChange={set("neighbors")} error={errors.neighbors} />
          </div>
        </details>
        {start.error ? <Alert>{start.error.message}</Alert> : null}
        <Button type="submit" disabled={start.isPending}>
          {start.isPending ? "Starting..." : "Run evaluation"}
        </Button>
      </form>
      {started?.job ? (
        <JobProgress
          key={started.job.id}
          jobId={started.job.id}
          onDone={(job) => {
            void qc.invalidateQueries({ queryKey: ["experiments"] });
            if (job.status === "succeeded") router.push(`/experiments/${started.id}`);
          }}
        />
      ) : null}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// New A/B test (admins)

const WEIGHT_KEYS = Object.keys(DEFAULT_WEIGHTS) as (keyof typeof DEFAULT_WEIGHTS)[];
type VariantDraft = { name: string; weights: Partial<Record<(typeof WEIGHT_KEYS)[number], string>> };

const AB_DEFAULTS: VariantDraft[] = [
  { name: "control", weights: {} },
  { name: "knn-heavy", weights: { item_knn: "3", als: "0.3" } },
];

function AbForm() {
  const qc = useQueryClient();
  const [name, setName] = useState("Item-kNN heavy vs control");
  const [variants, setVariants] = useState<VariantDraft[]>(AB_DEFAULTS);
  // What is wrong, by the field it is about ("name", "variant-0-name", "variant-1-item_knn"), said beside it.
  const [problems, setProblems] = useState<Record<string, string>>({});
  const start = useMutation({
    mutationFn: (body: unknown) => apiFetch<Experiment>("/api/v1/experiments", { method: "POST", body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ["experiments"] }),
  });
  const edit = (i: number, change: (v: VariantDraft) => VariantDraft) => setVariants((vs) => vs.map((v, j) => (j === i ? change(v) : v)));

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const names = variants.map((v) => v.name.trim());
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = "Give the test a name.";
    names.forEach((n, i) => {
      if (!/^[\w -]+$/.test(n)) found[`variant-${i}-name`] = n ? "Use letters, digits, spaces, - and _." : "Give the variant a name.";
      else if (names.indexOf(n) !== i) found[`variant-${i}-name`] = `Another variant is called "${n}" already.`;
    });
    variants.forEach((v, i) => {
      for (const [k, w] of Object.entries(v.weights)) {
        if (w === undefined || w.trim() === "") continue;
        const x = Number(w);
        if (!Number.isFinite(x) || x < 0 || x > 10) found[`variant-${i}-${k}`] = "A number from 0 to 10.";
      }
    });
    setProblems(found);
    if (Object.keys(found).length) return;
    const body = {
      kind: "ab",
      name: name.trim(),
      variants: variants.map((v, i) => ({
        name: names[i],
        weights: Object.fromEntries(Object.entries(v.weights).filter(([, w]) => w !== undefined && w.trim() !== "").map(([k, w]) => [k, Number(w)])),
      })),
    };
    start.mutate(body);
  }

  return (
    <section className="space-y-4 rounded-lg border border-stone-200 bg-white p-4" aria-labelledby="ab-heading">
      <div>
        <h2 id="ab-heading" className="font-semibold">
          New A/B test
        </h2>
        <p className="text-sm text-stone-500">
          Each signed-in user sees one variant&apos;s blend; clicks and likes are counted per variant. Starting a test stops the one running now. Blank
          weights keep the default.
        </p>
      </div>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <Field id="ab-name" label="Name" value={name} error={problems.name} onChange={(e) => setName(e.target.value)} maxLength={120} />
        {variants.map((v, i) => (
          <fieldset key={i} className="space-y-3 rounded-md border border-stone-200 p-3" data-testid="ab-variant">
            <legend className="px-1 text-sm font-medium text-stone-700">{i === 0 ? "Variant 1 (control)" : `Variant ${i + 1}`}</legend>
            <div className="flex items-end gap-2">
              <div className="flex-1">
                <Field
                  id={`ab-variant-${i}-name`}
                  label="Variant name"
                  value={v.name}
                  maxLength={40}
                  error={problems[`variant-${i}-name`]}
                  onChange={(e) => edit(i, (x) => ({ ...x, name: e.target.value }))}
                />
              </div>
              {variants.length > 2 ? (
                <Button type="button" variant="ghost" onClick={() => setVariants((vs) => vs.filter((_, j) => j !== i))} aria-label={`Remove variant ${i + 1}`}>
                  Remove
                </Button>
              ) : null}
            </div>
            <div className="grid grid-cols-2 gap-3 sm:grid-cols-3">
              {WEIGHT_KEYS.map((k) => (
                <Field
                  key={k}
                  id={`ab-variant-${i}-${k}`}
                  label={k}
                  type="number"
                  min={0}
                  max={10}
                  step={0.1}
                  placeholder={String(DEFAULT_WEIGHTS[k])}
                  value={v.weights[k] ?? ""}
                  error={problems[`variant-${i}-${k}`]}
                  onChange={(e) => edit(i, (x) => ({ ...x, weights: { ...x.weights, [k]: e.target.value } }))}
                />
              ))}
            </div>
          </fieldset>
        ))}
        {Object.keys(problems).length ? <Alert>Fix what is marked above, then start the test.</Alert> : null}
        {start.error ? <Alert>{start.error.message}</Alert> : null}
        {start.data ? (
          <Alert tone="success">
            {start.data.name} is running.{" "}
            <Link href={`/experiments/${start.data.id}`} className="font-medium underline">
              View results
            </Link>
          </Alert>
        ) : null}
        <div className="flex flex-wrap gap-2">
          <Button type="submit" disabled={start.isPending}>
            {start.isPending ? "Starting..." : "Start A/B test"}
          </Button>
          {variants.length < 4 ? (
            <Button type="button" variant="secondary" onClick={() => setVariants((vs) => [...vs, { name: `variant-${vs.length + 1}`, weights: {} }])}>
              Add variant
            </Button>
          ) : null}
        </div>
      </form>
    </section>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Experiments so far

type ExperimentPage = { items: Experiment[]; next_cursor: string | null };

function ExperimentList({ isAdmin }: { isAdmin: boolean }) {
  const cancel = useCancelExperiment();
  const list = useInfiniteQuery({
    queryKey: ["experiments"],
    queryFn: ({ pageParam }) => apiFetch<ExperimentPage>(`/api/v1/experiments?limit=20${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`),
    initialPageParam: "",
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some(isRunningEvaluation)) ? 1000 : false),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section className="space-y-3" aria-labelledby="experiments-heading">
      <h2 id="experiments-heading" className="font-semibold">
        {isAdmin ? "All experiments" : "Your experiments"}
      </h2>
      {list.error ? <Alert>{list.error.message}</Alert> : null}
      {cancel.error ? <Alert>{cancel.error.message}</Alert> : null}
      {list.isPending ? <p className="text-sm text-stone-500">Loading...</p> : null}
      {list.data && items.length === 0 ? (
        <p className="rounded-lg border border-dashed border-stone-300 p-6 text-center text-sm text-stone-500">No experiments yet. Run an evaluation above.</p>
      ) : null}
      <ul className="space-y-2">
        {items.map((exp) => {
          const running = isRunningEvaluation(exp);
          const canStop = exp.kind === "ab" && exp.status === "running" && isAdmin;
          return (
            <li key={exp.id} className="rounded-lg border border-stone-200 bg-white p-3" data-testid="experiment-row" data-experiment-id={exp.id} data-kind={exp.kind}>
              <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
                <span className="min-w-0 max-w-full truncate font-medium">{exp.name}</span>
                <span className="rounded bg-stone-100 px-1.5 py-0.5 text-xs text-stone-600">{exp.kind === "ab" ? "A/B test" : "offline"}</span>
                <ExperimentStatusBadge status={exp.status} />
                <span className="text-sm text-stone-500">{formatWhen(exp.created_at)}</span>
                <span className="ml-auto flex items-center gap-2">
                  {running || canStop ? (
                    <Button
                      type="button"
                      variant="danger"
                      className="px-2.5 py-1"
                      onClick={() => cancel.mutate(exp.id)}
                      disabled={(cancel.isPending && cancel.variables === exp.id) || Boolean(exp.job?.cancel_requested)}
                      aria-label={`${running ? "Cancel" : "Stop"} ${exp.name}`}
                    >
                      {exp.job?.cancel_requested ? "Cancelling..." : running ? "Cancel" : "Stop"}
                    </Button>
                  ) : null}
                  <Link href={`/experiments/${exp.id}`} className={buttonClass("secondary", "px-2.5 py-1")}>
                    View results
                  </Link>
                </span>
              </div>
              {running && exp.job ? (
                <div className="mt-2 flex items-center gap-3">
                  <div className="flex-1">
                    <ProgressBar job={exp.job} />
                  </div>
                  <span className="w-10 text-right text-sm tabular-nums text-stone-500">{exp.job.progress}%</span>
                </div>
              ) : null}
              {running && exp.job?.message ? <p className="mt-1 truncate text-xs text-stone-500">{exp.job.message}</p> : null}
              {exp.status === "failed" && exp.job?.error ? <p className="mt-1 text-sm text-red-700">{exp.job.error}</p> : null}
            </li>
          );
        })}
      </ul>
      {list.hasNextPage ? (
        <Button type="button" variant="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? "Loading..." : "Show more"}
        </Button>
      ) : null}
    </section>
  );
}
