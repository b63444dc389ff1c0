import { z } from "zod";
import { DEFAULT_WEIGHTS } from "../recs/recommend";

export const EVAL_RECOMMENDERS = ["popularity", "content", "user_overlap", "item_knn", "als", "blend"] as const;
export const DATA_SOURCES = ["all", "demo", "movielens", "movietweetings", "legacy"] as const;
export const SPLITS = ["temporal", "random", "leave-last-out"] as const;

export const OfflineConfigSchema = z
  .object({
    kind: z.literal("offline").default("offline"),
    name: z.string().trim().min(1).max(120).default("Offline evaluation"),
    recommenders: z.array(z.enum(EVAL_RECOMMENDERS)).min(1).max(EVAL_RECOMMENDERS.length).default([...EVAL_RECOMMENDERS]),
    params: z
      .object({
        factors: z.number().int().min(2).max(256).default(32),
        iterations: z.number().int().min(1).max(50).default(10),
        neighbors: z.number().int().min(5).max(500).default(50),
      })
      .default({ factors: 32, iterations: 10, neighbors: 50 }),
    source: z.enum(DATA_SOURCES).default("all"),
    split: z.enum(SPLITS).default("temporal"),
    test_fraction: z.number().min(0.05).max(0.5).default(0.2),
    folds: z.number().int().min(1).max(5).default(1),
    k: z.array(z.number().int().min(1).max(100)).min(1).max(5).default([10]),
    /** On each rating's own scale mapped to 0..1: 0.7 is 7 of 10, or 3.65 of 5. */
    threshold: z.number().min(0).max(1).default(0.7),
    max_users: z.number().int().min(10).max(100_000).default(3000),
    seed: z.number().int().default(1),
  })
  .refine((c) => c.folds === 1 || c.split === "random", { message: "more than one fold needs the random split", path: ["folds"] });
export type OfflineConfig = z.infer<typeof OfflineConfigSchema>;

const WeightsSchema = z
  .object(Object.fromEntries(Object.keys(DEFAULT_WEIGHTS).map((k) => [k, z.number().min(0).max(10).optional()])) as Record<keyof typeof DEFAULT_WEIGHTS, z.ZodOptional<z.ZodNumber>>)
  .strict();

export const AbConfigSchema = z.object({
  kind: z.literal("ab"),
  name: z.string().trim().min(1).max(120),
  variants: z
    .array(z.object({ name: z.string().trim().min(1).max(40).regex(/^[\w -]+$/), weights: WeightsSchema.default({}) }))
    .min(2)
    .max(4)
    .refine((v) => new Set(v.map((x) => x.name)).size === v.length, { message: "variant names must differ" }),
});
export type AbConfig = z.infer<typeof AbConfigSchema>;

export const CreateExperimentSchema = z.union([AbConfigSchema, OfflineConfigSchema]);

export const ExperimentListQuerySchema = z.object({
  kind: z.enum(["offline", "ab"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});

export const ExperimentIdParamSchema = z.object({ id: z.string().min(1).max(100) });
