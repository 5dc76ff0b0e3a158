/**
 * The part of platform that runs in browsers too (no `node:` modules): the error catalogue and
 * ids. The typed client imports only this, so the web dashboard can bundle it.
 */
export * from './errors.js'
export { newId } from './new-id.js'
