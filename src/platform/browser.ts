/**
 * The part of platform that runs in browsers too (no `node:` modules): the error catalogue,
 * ids and log levels. The typed client imports only this, so the web dashboard can bundle it.
 */
export * from './errors.js'
export { newId } from './new-id.js'
export { logLevels, type LogLevel } from './log-levels.js'
