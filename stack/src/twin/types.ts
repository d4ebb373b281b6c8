/** The process twin's plan: what runs, how, and what the planner needs from the machine. */
import type { DockerfileInfo } from '../dockerfile';

/** What the planner needs from the machine. */
export interface Host {
  /** Absolute path of a program (PATH and the usual system directories), or undefined. */
  which(name: string): string | undefined;
  /** This Node.js (for `node` in our images' commands). */
  readonly nodePath: string;
  /** Python of the MLflow venv, or undefined when none was found. */
  readonly mlflowPython: string | undefined;
  /** A Dockerfile's parsed content (repository-relative path). */
  dockerfile(file: string): DockerfileInfo;
  /** PATH and HOME for the children (nothing else of the shell passes, as in compose). */
  readonly baseEnv: Readonly<Record<string, string>>;
}

export interface TwinOptions {
  readonly repo: string;
  readonly dataDir: string;
  readonly profiles: readonly string[];
  /** Only these services and what they depend on (like `docker compose up a b`). */
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
  readonly portOffset: number;
}

export type Health =
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'command'; readonly argv: readonly string[] }
  | { readonly kind: 'none' };

export interface Mount {
  /** Path inside the container. */
  readonly target: string;
  /** Host path: a repository file or folder, or a volume folder under the data directory. */
  readonly source: string;
  readonly kind: 'bind' | 'volume';
}

export interface TwinPort {
  readonly containerPort: number;
  readonly port: number;
  /** Interface the process binds (compose's published address; 127.0.0.1 when unpublished). */
  readonly bind: string;
}

export interface Dependency {
  readonly service: string;
  readonly condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
}

/** A PostgreSQL cluster the twin initialises like the postgres image's first start. */
export interface PostgresInit {
  readonly initdb: string;
  readonly psql: string | undefined;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Host paths of the *.sql files mounted into /docker-entrypoint-initdb.d, in name order. */
  readonly scripts: readonly string[];
  readonly dataDir: string;
  readonly socketDir: string;
}

export interface ProcessService {
  readonly kind: 'process';
  readonly name: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Folder mirroring the container's mount targets. */
  readonly root: string;
  readonly mounts: readonly Mount[];
  /** Compose secrets: file under `root` ← variable's value. */
  readonly secrets: readonly { readonly target: string; readonly variable: string }[];
  readonly ports: readonly TwinPort[];
  readonly health: Health;
  /** restart: 'no' — a job that must exit 0 (migrate). */
  readonly oneShot: boolean;
  readonly restart: string;
  readonly dependsOn: readonly Dependency[];
  /** postgres / redis: used as found when their port answers. */
  readonly data: 'postgres' | 'redis' | undefined;
  readonly postgres: PostgresInit | undefined;
  /** postgres/redis without their program here: fine if one answers on the port. */
  readonly missingProgram: { readonly program: string; readonly install: string } | undefined;
  /** Where an OS user is needed (PostgreSQL refuses to run as root). */
  readonly runAsUser: string | undefined;
  /** The rewrite of a mounted config file's text (addresses and container paths). */
  readonly rewrite: (text: string) => string;
}

export interface SkippedService {
  readonly kind: 'skipped';
  readonly name: string;
  readonly reason: string;
}

export interface MissingService {
  readonly kind: 'missing';
  readonly name: string;
  readonly program: string;
  readonly install: string;
}

export type ServicePlan = ProcessService | SkippedService | MissingService;

export interface StackPlan {
  /** In start order (dependencies first). */
  readonly services: readonly ServicePlan[];
  /** Compose services of the chosen profiles the options left out. */
  readonly notSelected: readonly string[];
}
