import { databaseSteps } from "../../lib/jobs/execute";
import { requestCancel } from "../../lib/jobs/store";
import type { Json, StepTool } from "../../lib/jobs/types";

/** The embedded runner's steps, with Cancel pressed as step `stepId` starts its work or once it has finished it. */
export function cancellingSteps(jobId: string, stepId: string, when: "starts" | "finished"): StepTool {
  const steps = databaseSteps(jobId);
  return {
    run: <T extends Json | void>(id: string, fn: () => Promise<T>) =>
      steps.run(id, async () => {
        if (id === stepId && when === "starts") await requestCancel(jobId);
        const output = await fn();
        if (id === stepId && when === "finished") await requestCancel(jobId);
        return output;
      }),
  };
}
