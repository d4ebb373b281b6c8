export * from './compose';
export * from './dockerfile';
export * from './interpolate';
// The process twin (`pnpm run stack`), for end-to-end tests that start the stack themselves.
export * from './twin/plan';
export { resolveEnv, REQUIRED_SECRETS } from './twin/env';
export { consoleOutput, StackError, Supervisor, type Output } from './twin/supervisor';
