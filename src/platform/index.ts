/**
 * platform: what every domain stands on — configuration, the error catalogue, logging, ids,
 * time. Imports no domain and touches no table.
 */
export * from './errors.js'
export * from './clock.js'
export * from './ids.js'
export * from './config.js'
export * from './logger.js'
export * from './cursor.js'
export * from './version.js'
export * from './agents.js'
export * from './read-cache.js'
export * from './actor.js'
export * from './private-files.js'
export * from './bounded-yaml.js'
export * from './value-limits.js'
export * from './strict-json.js'
export * from './shutdown.js'
export * from './worker-ids.js'
export * from './expression-grammar.js'
