/**
 * Third-party images of docker-compose.yml and the system programs that run the same thing
 * in the process twin; services the twin does not run as processes, with the reason.
 */
import type { TwinPort } from './types';

export interface ImageRunner {
  readonly image: RegExp;
  readonly programs: readonly string[];
  readonly install: string;
  /** The program's path inside the image (entrypoint scripts that exec it). */
  readonly containerBinary?: string;
  /** Arguments that put the listener where the twin wants it. */
  readonly listen?: (port: TwinPort) => string[];
  readonly defaultPorts: readonly number[];
  readonly data?: 'postgres' | 'redis';
  /** Optional: skipped with the install hint instead of failing the stack. */
  readonly optional?: boolean;
  /**
   * The command when the image's entrypoint has no counterpart on a machine (Grafana's
   * /run.sh): the program's own arguments and environment, container paths under `root`.
   */
  readonly replace?: (
    program: string,
    port: TwinPort,
    root: string,
  ) => {
    argv: string[];
    env: Record<string, string>;
  };
}

/** Third-party images and the system program that runs the same thing. */
export const IMAGE_RUNNERS: readonly ImageRunner[] = [
  {
    image: /^postgres:/,
    programs: ['postgres'],
    install: 'sudo apt-get install postgresql (or start your own PostgreSQL on the port)',
    defaultPorts: [5432],
    data: 'postgres',
  },
  {
    image: /^redis:/,
    programs: ['redis-server'],
    install: 'sudo apt-get install redis-server (or start your own Redis on the port)',
    defaultPorts: [6379],
    data: 'redis',
  },
  {
    image: /^prom\/prometheus:/,
    programs: ['prometheus'],
    install: 'sudo apt-get install prometheus (what .ci/services/prometheus.sh does)',
    containerBinary: '/bin/prometheus',
    listen: (p) => [`--web.listen-address=${p.bind}:${p.port}`],
    defaultPorts: [9090],
  },
  {
    image: /^prom\/alertmanager:/,
    programs: ['prometheus-alertmanager', 'alertmanager'],
    install: 'sudo apt-get install prometheus-alertmanager (what .ci/services/prometheus.sh does)',
    containerBinary: '/bin/alertmanager',
    // No gossip port: one Alertmanager, and parallel stacks would collide on 9094.
    listen: (p) => [`--web.listen-address=${p.bind}:${p.port}`, '--cluster.listen-address='],
    defaultPorts: [9093],
  },
  {
    image: /^grafana\/grafana:/,
    programs: ['grafana-server', 'grafana'],
    install:
      "Grafana's Debian repository (https://grafana.com/docs/grafana/latest/setup-grafana/installation/debian/); the dashboards are in grafana/dashboards",
    defaultPorts: [3000],
    optional: true,
    // What the image's /run.sh does: the Debian package's home, the paths the mounts use.
    replace: (program, port, root) => ({
      argv: [
        program,
        ...(program.endsWith('/grafana') ? ['server'] : []),
        '--homepath',
        '/usr/share/grafana',
      ],
      env: {
        GF_SERVER_HTTP_ADDR: port.bind,
        GF_SERVER_HTTP_PORT: String(port.port),
        GF_PATHS_PROVISIONING: `${root}/etc/grafana/provisioning`,
        GF_PATHS_DATA: `${root}/var/lib/grafana`,
        GF_PATHS_LOGS: `${root}/var/log/grafana`,
        GF_PATHS_PLUGINS: `${root}/var/lib/grafana/plugins`,
      },
    }),
  },
];

/** Services the twin does not run as processes, and why. */
export const NOT_AS_PROCESS: Readonly<Record<string, string>> = {
  caddy:
    'the edge (TLS for PUBLIC_HOSTNAME on ports 80/443, rate-limit plugin) exists only in the image; the twin serves the API directly',
  azurite:
    'the local profile is Docker-only; the az:// tests start their own Azurite (packages/azure)',
  'azurite-init': 'the local profile is Docker-only',
};
