import { buildInngestFunctions } from "@/lib/jobs/inngest";

// One Inngest function per job handler in lib/jobs/registry.ts.
export const functions = buildInngestFunctions();
