/** Root jest config: one run over every workspace package, TypeScript through SWC. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/src/**/*.test.ts', '**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  moduleNameMapper: {
    '^@wine/training-scripts$': '<rootDir>/training-scripts/src/index.ts',
    '^@wine/pipeline$': '<rootDir>/pipeline/src/index.ts',
    '^@wine/prediction-service$': '<rootDir>/prediction-service/src/index.ts',
    '^@wine/grafana$': '<rootDir>/grafana/src/index.ts',
    '^@wine/model-monitor$': '<rootDir>/model-monitor/src/index.ts',
    '^@wine/stack$': '<rootDir>/stack/src/index.ts',
    '^@wine/azure/testing$': '<rootDir>/packages/azure/src/testing/index.ts',
    '^@wine/stream-scorer$': '<rootDir>/stream-scorer/src/index.ts',
    '^@wine/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    // The infrastructure contract (no cdktf): the release tooling imports only this.
    '^@wine/infrastructure/services$': '<rootDir>/infrastructure/src/services.ts',
    '^mlflow-ts-client$': '<rootDir>/packages/mlflow-client/src/index.ts',
  },
  testTimeout: 30000,
};
