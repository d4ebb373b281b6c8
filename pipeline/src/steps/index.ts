/** The step graph: each step consumes the outputs of the steps before it. */
import { evaluateStep } from './evaluate';
import { ingestStep } from './ingest';
import { registerStep } from './register';
import { splitStep } from './split';
import type { StepDefinition } from './step-context';
import type { StepName } from './step-io.schema';
import { trainStep } from './train';
import { validateStep } from './validate';

export const STEPS: { readonly [S in StepName]: StepDefinition<S> } = {
  ingest: ingestStep,
  validate: validateStep,
  split: splitStep,
  train: trainStep,
  evaluate: evaluateStep,
  register: registerStep,
};
