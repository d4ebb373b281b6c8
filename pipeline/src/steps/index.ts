/** The step graph: each step consumes the outputs of the steps before it. */
import { evaluateStep } from './evaluate';
import { ingestStep } from './ingest';
import { registerStep } from './register';
import { splitStep } from './split';
import type { StepDefinitions } from './step-context';
import { trainStep } from './train';
import { validateStep } from './validate';

export const STEPS: StepDefinitions = {
  ingest: ingestStep,
  validate: validateStep,
  split: splitStep,
  train: trainStep,
  evaluate: evaluateStep,
  register: registerStep,
};
