/** contract: the API's request and response schemas and their TypeScript types. */
export * from './common.js'
export * from './catalog.js'
export * from './workflows.js'
