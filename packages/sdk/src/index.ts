export { type BondingClient, type BondingClientOptions, createBondingClient } from './client.js';
export type { components, operations, paths } from './generated/schema.js';
export type { Notification, StreamOptions } from './notifications.js';
export { ApiProblem, ok, type Problem, problemOf, toProblem } from './problem.js';
export type { Tokens } from './session.js';
export { type RetryOptions, retryAfterMs } from './transport.js';
