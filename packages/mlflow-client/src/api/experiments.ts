import { emptyReply } from '../common.schema';
import { ENDPOINTS } from '../endpoints';
import { isAlreadyExists, isNotFound } from '../errors';
import { createExperimentReply, getExperimentReply, type Experiment } from '../tracking.schema';
import { tagList, type ApiContext, type TagsInput } from './context';

export interface CreateExperimentInput {
  readonly name: string;
  /** Leave unset to get the server's default (`mlflow-artifacts:/<id>` when proxying). */
  readonly artifactLocation?: string;
  readonly tags?: TagsInput;
}

export function experimentsApi({ transport }: ApiContext) {
  /** Null when no experiment has that name; a deleted one is returned with lifecycleStage 'deleted'. */
  async function getExperimentByName(name: string): Promise<Experiment | null> {
    const { method, path } = ENDPOINTS.getExperimentByName;
    try {
      const reply = await transport.call(method, path, getExperimentReply, {
        query: { experiment_name: name },
      });
      return reply.experiment;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async function getExperiment(experimentId: string): Promise<Experiment> {
    const { method, path } = ENDPOINTS.getExperiment;
    const reply = await transport.call(method, path, getExperimentReply, {
      query: { experiment_id: experimentId },
    });
    return reply.experiment;
  }

  /** Returns the new id; a taken name is MlflowApiError RESOURCE_ALREADY_EXISTS (HTTP 400). */
  async function createExperiment(input: CreateExperimentInput): Promise<string> {
    const { method, path } = ENDPOINTS.createExperiment;
    const reply = await transport.call(method, path, createExperimentReply, {
      json: {
        name: input.name,
        ...(input.artifactLocation === undefined
          ? {}
          : { artifact_location: input.artifactLocation }),
        tags: tagList(input.tags),
      },
    });
    return reply.experiment_id;
  }

  async function restoreExperiment(experimentId: string): Promise<void> {
    const { method, path } = ENDPOINTS.restoreExperiment;
    await transport.call(method, path, emptyReply, {
      json: { experiment_id: experimentId },
    });
  }

  /**
   * Get by name, else create; safe when several processes race (the loser of the create race
   * reads the winner's experiment). A deleted experiment still owns its name, so it is restored.
   */
  async function getOrCreateExperiment(input: CreateExperimentInput): Promise<Experiment> {
    const existing = await getExperimentByName(input.name);
    if (existing) {
      if (existing.lifecycleStage === 'deleted') {
        await restoreExperiment(existing.experimentId);
        return getExperiment(existing.experimentId);
      }
      return existing;
    }
    try {
      return await getExperiment(await createExperiment(input));
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const winner = await getExperimentByName(input.name);
      if (winner) return winner;
      throw error;
    }
  }

  return {
    getExperimentByName,
    getExperiment,
    createExperiment,
    restoreExperiment,
    getOrCreateExperiment,
  };
}
