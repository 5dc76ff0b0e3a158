/** contract: the API's request and response schemas and their TypeScript types. */
export * from './common.js'
export * from './catalog.js'
export * from './catalog-services.js'
export * from './landscape.js'
export * from './catalog-file.js'
export * from './policy.js'
export * from './auth.js'
export * from './landscape-results.js'
