"use client";

import { NumericTableHead } from "@/components/ui/table-head";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useSyncExternalStore } from "react";
import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { apiFetch } from "@/components/api-fetch";
import { JobProgress, StatusBadge } from "@/components/jobs/job-progress";
import { isActive, type Job } from "@/components/jobs/types";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { Comparison, Rate, VariantResult } from "@/lib/experiments/ab";
import type { ExperimentView } from "@/lib/experiments/service";
import type { Metrics } from "@/lib/recs/evaluate";

export type Experiment = ExperimentView;
export type OfflineResult = { metrics: Metrics[]; dataset: { source: string; ratings: number; users: number; items: number }; config: unknown };
export type AbResult = { variants: VariantResult[]; comparisons: Comparison[] };

/** Worth polling: an offline evaluation whose job has not finished. A running A/B test goes on for days. */
export function isRunningEvaluation(exp: Experiment): boolean {
  return exp.kind === "offline" && (exp.job ? isActive(exp.job) : isActive({ status: exp.status as Job["status"] }));
}

export function ExperimentStatusBadge({ status }: { status: string }) {
  if (status === "stopped") return <span className="rounded-full bg-stone-100 px-2 py-0.5 text-xs font-medium text-stone-700" data-testid="job-status">stopped</span>;
  return <StatusBadge job={{ status: status as Job["status"] }} />;
}

/** Cancels an offline evaluation's job, or stops an A/B test. */
export function useCancelExperiment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<Experiment>(`/api/v1/experiments/${id}/cancel`, { method: "POST" }),
    onSuccess: (exp) => {
      qc.setQueryData(["experiment", exp.id], exp);
      // the JobProgress widget watching this evaluation's job shows the cancel at once
      if (exp.job) qc.setQueryData(["job", exp.job.id], exp.job);
      void qc.invalidateQueries({ queryKey: ["experiments"] });
    },
  });
}

export function formatWhen(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) : "-";
}

// Charts measure the browser window; on the server they would render empty, so they wait for the client.
const noSubscribe = () => () => undefined;
function useInBrowser(): boolean {
  return useSyncExternalStore(noSubscribe, () => true, () => false);
}

export function ExperimentResult({ initial, isAdmin }: { initial: Experiment; isAdmin: boolean }) {
  const qc = useQueryClient();
  const { data: exp = initial, error } = useQuery({
    queryKey: ["experiment", initial.id],
    queryFn: () => apiFetch<Experiment>(`/api/v1/experiments/${initial.id}`),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && isRunningEvaluation(q.state.data) ? 1000 : q.state.data?.kind === "ab" && q.state.data.status === "running" ? 10_000 : false),
  });
  const stop = useCancelExperiment();

  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <Link href="/experiments" className="text-sm text-brand-700 hover:underline">
          ← All experiments
        </Link>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <h1 className="text-2xl font-semibold">{exp.name}</h1>
          <ExperimentStatusBadge status={exp.status} />
        </div>
        <p className="text-sm text-stone-600">
          {exp.kind === "ab" ? "A/B test" : "Offline evaluation"} · started {formatWhen(exp.created_at)}
          {exp.stopped_at ? ` · stopped ${formatWhen(exp.stopped_at)}` : null}
        </p>
      </div>
      {error ? <Alert>{error.message}</Alert> : null}
      {stop.error ? <Alert>{stop.error.message}</Alert> : null}
      {exp.kind === "offline" ? (
        <OfflineOutcome exp={exp} onJobDone={() => void qc.invalidateQueries({ queryKey: ["experiment", exp.id] })} />
      ) : (
        <AbOutcome exp={exp} canStop={isAdmin && exp.status === "running"} stopping={stop.isPending} onStop={() => {
            // Stopping ends the test for good (its assignments and counts stay, it cannot run again).
            if (window.confirm(`Stop "${exp.name}"? Everyone goes back to the default recommendations, and the test cannot be restarted.`)) stop.mutate(exp.id);
          }} />
      )}
    </div>
  );
}

function OfflineOutcome({ exp, onJobDone }: { exp: Experiment; onJobDone: () => void }) {
  if (isRunningEvaluation(exp)) {
    return exp.job ? <JobProgress jobId={exp.job.id} onDone={onJobDone} /> : <p className="text-sm text-stone-500">Waiting for the evaluation to start...</p>;
  }
  if (exp.status === "failed") {
    return <Alert>This evaluation failed{exp.job?.error ? `: ${exp.job.error}` : "."}</Alert>;
  }
  if (exp.status === "cancelled") {
    return <Alert tone="info">This evaluation was cancelled{exp.job?.error ? `: ${exp.job.error}` : "."}</Alert>;
  }
  const result = exp.result as OfflineResult | null;
  if (!result?.metrics?.length) return <Alert tone="info">This evaluation finished without metrics.</Alert>;
  return <OfflineReport id={exp.id} result={result} />;
}

// ---------------------------------------------------------------------------------------------------------------
// Offline evaluation

const RECOMMENDER_COLOURS: Record<string, string> = {
  popularity: "#a8a29e",
  content: "#0ea5e9",
  user_overlap: "#8b5cf6",
  item_knn: "#10b981",
  als: "#f97316",
  blend: "#e11d48",
};

type MetricKey = "precision" | "recall" | "ndcg" | "map" | "coverage" | "novelty";

const CHARTS: { metric: MetricKey; title: string }[] = [
  { metric: "ndcg", title: "NDCG@k" },
  { metric: "recall", title: "Recall@k" },
  { metric: "precision", title: "Precision@k" },
  { metric: "map", title: "MAP@k" },
  { metric: "coverage", title: "Catalog coverage" },
  { metric: "novelty", title: "Novelty" },
];

const CSV_COLUMNS = ["recommender", "k", "users", "precision", "recall", "ndcg", "map", "coverage", "novelty", "train_ms", "score_ms"] as const;

function toCsv(rows: Metrics[]): string {
  const cell = (v: string | number) => (typeof v === "string" && /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  return [CSV_COLUMNS.join(","), ...rows.map((r) => CSV_COLUMNS.map((c) => cell(r[c])).join(","))].join("\n") + "\n";
}

function download(fileName: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const fixed4 = (v: number) => v.toFixed(4);

function OfflineReport({ id, result }: { id: string; result: OfflineResult }) {
  const inBrowser = useInBrowser();
  const { dataset, metrics } = result;
  const config = (result.config ?? {}) as { split?: string; folds?: number; threshold?: number; k?: number[] };
  return (
    <div className="space-y-6">
      <section className="space-y-2" aria-labelledby="dataset-heading">
        <h2 id="dataset-heading" className="font-semibold">
          Dataset
        </h2>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="dataset-summary">
          <Stat label="Source" value={dataset.source} />
          <Stat label="Ratings" value={dataset.ratings.toLocaleString("en-GB")} />
          <Stat label="Users (evaluated)" value={`${dataset.users.toLocaleString("en-GB")} (${(metrics[0]?.users ?? 0).toLocaleString("en-GB")})`} />
          <Stat label="Items" value={dataset.items.toLocaleString("en-GB")} />
        </dl>
        {config.split ? (
          <p className="text-sm text-stone-500">
            {config.split.charAt(0).toUpperCase() + config.split.slice(1)} split{config.folds && config.folds > 1 ? `, ${config.folds} folds averaged` : ""}
            {config.threshold !== undefined ? `; relevant means rated at least ${Math.round(config.threshold * 100)}% of the scale` : ""}.
          </p>
        ) : null}
      </section>

      <section className="space-y-3" aria-labelledby="charts-heading">
        <h2 id="charts-heading" className="font-semibold">
          Charts
        </h2>
        <div className="grid gap-4 lg:grid-cols-2">
          {CHARTS.map((c) => (
            <figure key={c.metric} className="min-w-0 rounded-lg border border-stone-200 bg-white p-3" data-testid="metric-chart">
              <figcaption className="mb-2 text-sm font-medium">{c.title}</figcaption>
              <div className="h-[260px] w-full">{inBrowser ? <MetricChart metric={c.metric} rows={metrics} /> : null}</div>
            </figure>
          ))}
        </div>
      </section>

      <section className="space-y-3" aria-labelledby="metrics-heading">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="metrics-heading" className="font-semibold">
            Metrics
          </h2>
          <div className="flex gap-2">
            <Button type="button" variant="secondary" onClick={() => download(`experiment-${id}.csv`, "text/csv", toCsv(metrics))}>
              Export CSV
            </Button>
            <Button type="button" variant="secondary" onClick={() => download(`experiment-${id}.json`, "application/json", JSON.stringify(metrics, null, 2) + "\n")}>
              Export JSON
            </Button>
          </div>
        </div>
        {/* On a phone the table is wider than the screen: say so, as nothing else shows it scrolls. */}
        <p className="text-xs text-stone-500 md:hidden">Swipe the table sideways for every metric.</p>
        <div className="overflow-x-auto rounded-lg border border-stone-200 bg-white">
          <table className="w-full text-right text-sm tabular-nums" data-testid="metrics-table">
            <NumericTableHead columns={["Recommender", "k", "Precision", "Recall", "NDCG", "MAP", "Coverage", "Novelty", "Train ms", "Score ms"]} />
            <tbody>
              {metrics.map((m) => (
                <tr key={`${m.recommender}-${m.k}`} className="border-t border-stone-100">
                  <th scope="row" className="px-3 py-1.5 text-left font-medium">
                    {m.recommender}
                  </th>
                  <td className="px-3 py-1.5">{m.k}</td>
                  <td className="px-3 py-1.5">{fixed4(m.precision)}</td>
                  <td className="px-3 py-1.5">{fixed4(m.recall)}</td>
                  <td className="px-3 py-1.5">{fixed4(m.ndcg)}</td>
                  <td className="px-3 py-1.5">{fixed4(m.map)}</td>
                  <td className="px-3 py-1.5">{fixed4(m.coverage)}</td>
                  <td className="px-3 py-1.5">{fixed4(m.novelty)}</td>
                  <td className="px-3 py-1.5">{Math.round(m.train_ms)}</td>
                  <td className="px-3 py-1.5">{Math.round(m.score_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-lg border border-stone-200 bg-white px-3 py-2">
      <dt className="text-xs text-stone-500">{label}</dt>
      <dd className="font-medium tabular-nums">{value}</dd>
    </div>
  );
}

const tooltipNumber = (v: unknown) => (typeof v === "number" ? v.toFixed(4) : String(v));

/** Bars per recommender, grouped by k. */
function MetricChart({ metric, rows }: { metric: MetricKey; rows: Metrics[] }) {
  const recommenders = [...new Set(rows.map((r) => r.recommender))];
  const ks = [...new Set(rows.map((r) => r.k))].sort((a, b) => a - b);
  const data = ks.map((k) => ({ k: `@${k}`, ...Object.fromEntries(rows.filter((r) => r.k === k).map((r) => [r.recommender, r[metric]])) }));
  return (
    <ResponsiveContainer width="100%" height={260}>
      <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e7e5e4" />
        <XAxis dataKey="k" tick={{ fontSize: 12 }} />
        <YAxis tick={{ fontSize: 11 }} width={44} domain={[0, "auto"]} tickFormatter={(v: number) => (metric === "novelty" ? v.toFixed(1) : v.toFixed(2))} />
        <Tooltip formatter={tooltipNumber} />
        {/* Names in the text colour beside their swatch: pale series colours as text were 2.5:1 on white. */}
        <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} formatter={(value: string) => <span style={{ color: "#44403c" }}>{value}</span>} />
        {recommenders.map((r) => (
          <Bar key={r} dataKey={r} name={r} fill={RECOMMENDER_COLOURS[r] ?? "#78716c"} isAnimationActive={false} />
        ))}
      </BarChart>
    </ResponsiveContainer>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// A/B test

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const withInterval = (r: Rate) => `${pct(r.rate)} (${(r.low * 100).toFixed(1)}-${pct(r.high)})`;
const METRIC_LABEL: Record<Comparison["metric"], string> = { ctr: "CTR", like_rate: "Like rate" };

function formatP(p: number): string {
  return p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`;
}

function NoData() {
  return <span className="text-stone-500">no data yet</span>;
}

function AbOutcome({ exp, canStop, stopping, onStop }: { exp: Experiment; canStop: boolean; stopping: boolean; onStop: () => void }) {
  const inBrowser = useInBrowser();
  const result = exp.result as AbResult | null;
  const variants = result?.variants ?? [];
  const config = exp.config as { variants?: { name: string; weights: Record<string, number> }[] };
  const weightsOf = (name: string) => {
    const w = config.variants?.find((v) => v.name === name)?.weights ?? {};
    const entries = Object.entries(w);
    return entries.length ? entries.map(([k, v]) => `${k} ${v}`).join(", ") : "default weights";
  };
  const chartData = variants.map((v) => ({ variant: v.variant, ctr: v.ctr.rate * 100, interval: [(v.ctr.rate - v.ctr.low) * 100, (v.ctr.high - v.ctr.rate) * 100] }));
  const noTraffic = variants.every((v) => v.impressions === 0);

  return (
    <div className="space-y-6">
      {canStop ? (
        <div className="flex flex-wrap items-center gap-3 rounded-lg border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900">
          <span className="flex-1">Running: every signed-in user sees the blend of the variant they were assigned to.</span>
          <Button type="button" variant="danger" onClick={onStop} disabled={stopping}>
            {stopping ? "Stopping..." : "Stop"}
          </Button>
        </div>
      ) : null}
      {noTraffic ? <Alert tone="info">No impressions yet: results appear as people browse their recommendations.</Alert> : null}

      <section className="space-y-3" aria-labelledby="variants-heading">
        <h2 id="variants-heading" className="font-semibold">
          Variants
        </h2>
        <div className="overflow-x-auto rounded-lg border border-stone-200 bg-white">
          <table className="w-full text-right text-sm tabular-nums" data-testid="variants-table">
            <NumericTableHead columns={["Variant", "Users", "Impressions", "Clicks", "CTR (95% CI)", "Likes", "Like rate (95% CI)"]} />
            <tbody>
              {variants.map((v) => (
                <tr key={v.variant} className="border-t border-stone-100">
                  <th scope="row" className="min-w-[9rem] px-3 py-1.5 text-left font-medium">
                    {v.variant}
                    <span className="block text-xs font-normal text-stone-500">{weightsOf(v.variant)}</span>
                  </th>
                  <td className="px-3 py-1.5">{v.users}</td>
                  <td className="px-3 py-1.5">{v.impressions}</td>
                  <td className="px-3 py-1.5">{v.ctr.count}</td>
                  <td className="whitespace-nowrap px-3 py-1.5">{v.impressions ? withInterval(v.ctr) : <NoData />}</td>
                  <td className="px-3 py-1.5">{v.like_rate.count}</td>
                  <td className="whitespace-nowrap px-3 py-1.5">{v.impressions ? withInterval(v.like_rate) : <NoData />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section className="space-y-3" aria-labelledby="ctr-heading">
        <h2 id="ctr-heading" className="font-semibold">
          Click-through rate
        </h2>
        <figure className="min-w-0 rounded-lg border border-stone-200 bg-white p-3 lg:max-w-2xl" data-testid="ctr-chart">
          <figcaption className="mb-2 text-sm text-stone-500">CTR per variant with its 95% Wilson interval</figcaption>
          <div className="h-[260px] w-full">
            {inBrowser ? (
              <ResponsiveContainer width="100%" height={260}>
                <BarChart data={chartData} margin={{ top: 8, right: 4, bottom: 0, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e7e5e4" />
                  <XAxis dataKey="variant" tick={{ fontSize: 12 }} />
                  <YAxis tick={{ fontSize: 11 }} width={44} unit="%" />
                  <Tooltip formatter={(v: unknown) => (typeof v === "number" ? `${v.toFixed(2)}%` : String(v))} />
                  <Bar dataKey="ctr" name="CTR" fill="#f97316" maxBarSize={96} isAnimationActive={false}>
                    <ErrorBar dataKey="interval" width={6} strokeWidth={1.5} stroke="#44403c" />
                  </Bar>
                </BarChart>
              </ResponsiveContainer>
            ) : null}
          </div>
        </figure>
      </section>

      <section className="space-y-3" aria-labelledby="comparisons-heading">
        <h2 id="comparisons-heading" className="font-semibold">
          Against {variants[0]?.variant ?? "control"}
        </h2>
        {result?.comparisons.length ? (
          <ul className="space-y-2" data-testid="comparisons">
            {result.comparisons.map((c) => {
              // A rate of a variant nobody has seen yet is no rate: its "0.0%" and "p = 1.000" would read as a result.
              const empty = [c.variant, c.against].filter((name) => !variants.find((v) => v.variant === name)?.impressions);
              return (
                <li key={`${c.metric}-${c.variant}`} className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-lg border border-stone-200 bg-white px-3 py-2 text-sm">
                  <span className="font-medium">
                    {METRIC_LABEL[c.metric]}: {c.variant} vs {c.against}
                  </span>
                  {empty.length ? (
                    <span className="text-stone-600">Not enough data yet: {empty.join(" and ")} {empty.length > 1 ? "have" : "has"} no impressions.</span>
                  ) : (
                    <>
                      <span className="tabular-nums text-stone-600">
                        {c.difference >= 0 ? "+" : ""}
                        {(c.difference * 100).toFixed(2)} points · z = {c.z.toFixed(2)} · {formatP(c.p_value)}
                      </span>
                      <span
                        className={`ml-auto rounded-full px-2 py-0.5 text-xs font-medium ${c.significant ? "bg-emerald-100 text-emerald-800" : "bg-stone-100 text-stone-700"}`}
                      >
                        {c.significant ? "significant" : "not significant"}
                      </span>
                    </>
                  )}
                </li>
              );
            })}
          </ul>
        ) : (
          <p className="text-sm text-stone-500">No comparisons yet.</p>
        )}
      </section>
    </div>
  );
}
