import { emptyReply } from '../common.schema';
import { ENDPOINTS } from '../endpoints';
import { isAlreadyExists, MlflowApiError, MlflowClientError } from '../errors';
import {
  downloadUriReply,
  modelVersionReply,
  registeredModelReply,
  searchModelVersionsReply,
  type ModelVersion,
  type RegisteredModel,
} from '../registry.schema';
import { tagList, type ApiContext, type TagsInput } from './context';

export interface CreateRegisteredModelInput {
  readonly name: string;
  readonly description?: string;
  readonly tags?: TagsInput;
}

export interface CreateModelVersionInput {
  readonly name: string;
  /** `models:/<model_id>` (MLflow 3 LoggedModel) or an artifact URI such as mlflow-artifacts:/…. */
  readonly source: string;
  readonly runId?: string;
  readonly modelId?: string;
  readonly description?: string;
  readonly tags?: TagsInput;
}

export interface SearchModelVersionsInput {
  /** e.g. `name = 'wine-quality'` or `run_id = '…'`. */
  readonly filter?: string;
  readonly maxResults?: number;
  /** e.g. `['version_number DESC']`. */
  readonly orderBy?: readonly string[];
  readonly pageToken?: string;
}

export interface WaitOptions {
  /** Default 300 s, like the Python client. */
  readonly timeoutMs?: number;
  readonly pollIntervalMs?: number;
}

export function registryApi({ transport, now, sleep }: ApiContext) {
  /** A taken name is MlflowApiError RESOURCE_ALREADY_EXISTS (HTTP 400). */
  async function createRegisteredModel(
    input: CreateRegisteredModelInput,
  ): Promise<RegisteredModel> {
    const { method, path } = ENDPOINTS.createRegisteredModel;
    const reply = await transport.call(method, path, registeredModelReply, {
      json: {
        name: input.name,
        ...(input.description === undefined ? {} : { description: input.description }),
        tags: tagList(input.tags),
      },
    });
    return reply.registered_model;
  }

  async function getRegisteredModel(name: string): Promise<RegisteredModel> {
    const { method, path } = ENDPOINTS.getRegisteredModel;
    const reply = await transport.call(method, path, registeredModelReply, { query: { name } });
    return reply.registered_model;
  }

  /** Race-safe: a concurrent creator's model is returned instead of an error. */
  async function getOrCreateRegisteredModel(
    input: CreateRegisteredModelInput,
  ): Promise<RegisteredModel> {
    try {
      return await createRegisteredModel(input);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      return getRegisteredModel(input.name);
    }
  }

  async function createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    const { method, path } = ENDPOINTS.createModelVersion;
    const reply = await transport.call(method, path, modelVersionReply, {
      json: {
        name: input.name,
        source: input.source,
        ...(input.runId === undefined ? {} : { run_id: input.runId }),
        ...(input.modelId === undefined ? {} : { model_id: input.modelId }),
        ...(input.description === undefined ? {} : { description: input.description }),
        tags: tagList(input.tags),
      },
    });
    return reply.model_version;
  }

  async function getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const { method, path } = ENDPOINTS.getModelVersion;
    const reply = await transport.call(method, path, modelVersionReply, {
      query: { name, version },
    });
    return reply.model_version;
  }

  /** Polls until READY; FAILED_REGISTRATION and the deadline are typed errors. */
  async function waitUntilReady(
    name: string,
    version: string,
    options: WaitOptions = {},
  ): Promise<ModelVersion> {
    const deadline = now() + (options.timeoutMs ?? 300_000);
    for (;;) {
      const mv = await getModelVersion(name, version);
      if (mv.status === 'READY') return mv;
      if (mv.status === 'FAILED_REGISTRATION') {
        throw new MlflowClientError(
          'MLFLOW_REGISTRATION_FAILED',
          `Model version ${name}/${version} failed to register: ${mv.statusMessage ?? 'no reason given'}.`,
        );
      }
      if (now() >= deadline) {
        throw new MlflowClientError(
          'MLFLOW_REGISTRATION_TIMEOUT',
          `Model version ${name}/${version} is still ${mv.status} after ${options.timeoutMs ?? 300_000} ms.`,
        );
      }
      await sleep(options.pollIntervalMs ?? 1000);
    }
  }

  async function setModelVersionTag(
    name: string,
    version: string,
    key: string,
    value: string,
  ): Promise<void> {
    const { method, path } = ENDPOINTS.setModelVersionTag;
    await transport.call(method, path, emptyReply, { json: { name, version, key, value } });
  }

  async function searchModelVersions(
    input: SearchModelVersionsInput = {},
  ): Promise<{ modelVersions: ModelVersion[]; nextPageToken: string | undefined }> {
    const { method, path } = ENDPOINTS.searchModelVersions;
    const reply = await transport.call(method, path, searchModelVersionsReply, {
      query: {
        filter: input.filter,
        max_results: input.maxResults,
        order_by: input.orderBy,
        page_token: input.pageToken,
      },
    });
    return {
      modelVersions: reply.model_versions,
      nextPageToken: reply.next_page_token || undefined,
    };
  }

  async function searchAllModelVersions(
    input: SearchModelVersionsInput = {},
  ): Promise<ModelVersion[]> {
    const all: ModelVersion[] = [];
    let pageToken = input.pageToken;
    do {
      const page = await searchModelVersions({ ...input, pageToken });
      all.push(...page.modelVersions);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return all;
  }

  async function setAlias(name: string, alias: string, version: string): Promise<void> {
    const { method, path } = ENDPOINTS.setAlias;
    await transport.call(method, path, emptyReply, { json: { name, alias, version } });
  }

  /**
   * The version an alias points at, or null when the model exists without that alias. MLflow
   * reports a missing alias as 400 INVALID_PARAMETER_VALUE, so that case is confirmed against
   * the model's alias list rather than guessed from the message. A missing model is a 404 error.
   */
  async function getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion | null> {
    const { method, path } = ENDPOINTS.getModelVersionByAlias;
    try {
      const reply = await transport.call(method, path, modelVersionReply, {
        query: { name, alias },
      });
      return reply.model_version;
    } catch (error) {
      if (!(error instanceof MlflowApiError) || error.errorCode !== 'INVALID_PARAMETER_VALUE') {
        throw error;
      }
      const model = await getRegisteredModel(name);
      if (model.aliases[alias] === undefined) return null;
      throw error;
    }
  }

  /** Deleting an alias that is not set is a no-op on the server. */
  async function deleteAlias(name: string, alias: string): Promise<void> {
    const { method, path } = ENDPOINTS.deleteAlias;
    await transport.call(method, path, emptyReply, { json: { name, alias } });
  }

  /** Where the version's files live (a LoggedModel source is resolved to its artifact URI). */
  async function getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const { method, path } = ENDPOINTS.getModelVersionDownloadUri;
    const reply = await transport.call(method, path, downloadUriReply, {
      query: { name, version },
    });
    return reply.artifact_uri;
  }

  return {
    createRegisteredModel,
    getRegisteredModel,
    getOrCreateRegisteredModel,
    createModelVersion,
    getModelVersion,
    waitUntilReady,
    setModelVersionTag,
    searchModelVersions,
    searchAllModelVersions,
    setAlias,
    getModelVersionByAlias,
    deleteAlias,
    getModelVersionDownloadUri,
  };
}
