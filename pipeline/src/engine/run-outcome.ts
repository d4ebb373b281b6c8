/** What a finished run records: the MLflow run with the model, the version and the decision. */
import type { RunOutcome } from '../history/run-store';
import type { StepOutputs } from '../steps/step-io.schema';

export function runOutcome(outputs: Partial<StepOutputs>): RunOutcome {
  return {
    mlflowRunId: outputs.train?.mlflowRunId,
    modelVersion: outputs.register?.version,
    decision: outputs.register?.decision,
  };
}
