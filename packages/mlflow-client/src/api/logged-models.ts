import { emptyReply } from '../common.schema';
import { ENDPOINTS } from '../endpoints';
import type { ParamValue } from '../log-batch';
import {
  loggedModelReply,
  searchLoggedModelsReply,
  type LoggedModel,
  type LoggedModelStatus,
} from '../tracking.schema';
import { tagList, type ApiContext, type TagsInput } from './context';

/** Python's _MLFLOW_CREATE_LOGGED_MODEL_PARAMS_BATCH_SIZE and the /params batch size. */
const PARAMS_PER_REQUEST = 100;

export interface CreateLoggedModelInput {
  readonly experimentId: string;
  readonly name?: string;
  readonly sourceRunId?: string;
  readonly modelType?: string;
  readonly params?: Readonly<Record<string, ParamValue>>;
  readonly tags?: TagsInput;
}

export interface SearchLoggedModelsInput {
  readonly experimentIds: readonly string[];
  /** e.g. `name = 'model'`; attributes: name, model_id, model_type, status, source_run_id… */
  readonly filter?: string;
  /** Page size, at most 50 (server default 50). */
  readonly maxResults?: number;
  readonly orderBy?: readonly { readonly fieldName: string; readonly ascending?: boolean }[];
  readonly pageToken?: string;
}

function paramList(params: Readonly<Record<string, ParamValue>> | undefined) {
  return Object.entries(params ?? {}).map(([key, value]) => ({ key, value: String(value) }));
}

/** MLflow 3 LoggedModels: models as first-class entities linked to runs and registry versions. */
export function loggedModelsApi({ transport }: ApiContext) {
  async function getLoggedModel(modelId: string): Promise<LoggedModel> {
    const { method, path } = ENDPOINTS.getLoggedModel;
    return (await transport.call(method, path(modelId), loggedModelReply)).model;
  }

  async function logLoggedModelParams(
    modelId: string,
    params: Readonly<Record<string, ParamValue>>,
  ): Promise<void> {
    const { method, path } = ENDPOINTS.logLoggedModelParams;
    const all = paramList(params);
    for (let i = 0; i < all.length; i += PARAMS_PER_REQUEST) {
      await transport.call(method, path(modelId), emptyReply, {
        json: { model_id: modelId, params: all.slice(i, i + PARAMS_PER_REQUEST) },
      });
    }
  }

  /** Creates a LoggedModel in LOGGED_MODEL_PENDING; its artifactUri is where files go. */
  async function createLoggedModel(input: CreateLoggedModelInput): Promise<LoggedModel> {
    const { method, path } = ENDPOINTS.createLoggedModel;
    const params = paramList(input.params);
    const reply = await transport.call(method, path, loggedModelReply, {
      json: {
        experiment_id: input.experimentId,
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.modelType === undefined ? {} : { model_type: input.modelType }),
        ...(input.sourceRunId === undefined ? {} : { source_run_id: input.sourceRunId }),
        params: params.slice(0, PARAMS_PER_REQUEST),
        tags: tagList(input.tags),
      },
    });
    if (params.length <= PARAMS_PER_REQUEST) return reply.model;
    await logLoggedModelParams(
      reply.model.modelId,
      Object.fromEntries(params.slice(PARAMS_PER_REQUEST).map((p) => [p.key, p.value])),
    );
    return getLoggedModel(reply.model.modelId);
  }

  async function finalizeLoggedModel(
    modelId: string,
    status: Extract<LoggedModelStatus, 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED'>,
  ): Promise<LoggedModel> {
    const { method, path } = ENDPOINTS.finalizeLoggedModel;
    const reply = await transport.call(method, path(modelId), loggedModelReply, {
      json: { model_id: modelId, status },
    });
    return reply.model;
  }

  async function setLoggedModelTags(modelId: string, tags: TagsInput): Promise<void> {
    const { method, path } = ENDPOINTS.setLoggedModelTags;
    await transport.call(method, path(modelId), emptyReply, {
      json: { model_id: modelId, tags: tagList(tags) },
    });
  }

  async function searchLoggedModels(
    input: SearchLoggedModelsInput,
  ): Promise<{ models: LoggedModel[]; nextPageToken: string | undefined }> {
    const { method, path } = ENDPOINTS.searchLoggedModels;
    const reply = await transport.call(method, path, searchLoggedModelsReply, {
      json: {
        experiment_ids: input.experimentIds,
        ...(input.filter === undefined ? {} : { filter: input.filter }),
        ...(input.maxResults === undefined ? {} : { max_results: input.maxResults }),
        ...(input.orderBy === undefined
          ? {}
          : {
              order_by: input.orderBy.map((o) => ({
                field_name: o.fieldName,
                ascending: o.ascending ?? true,
              })),
            }),
        ...(input.pageToken === undefined ? {} : { page_token: input.pageToken }),
      },
    });
    return { models: reply.models, nextPageToken: reply.next_page_token || undefined };
  }

  async function searchAllLoggedModels(input: SearchLoggedModelsInput): Promise<LoggedModel[]> {
    const models: LoggedModel[] = [];
    let pageToken = input.pageToken;
    do {
      const page = await searchLoggedModels({ ...input, pageToken });
      models.push(...page.models);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return models;
  }

  return {
    createLoggedModel,
    getLoggedModel,
    logLoggedModelParams,
    finalizeLoggedModel,
    setLoggedModelTags,
    searchLoggedModels,
    searchAllLoggedModels,
  };
}
