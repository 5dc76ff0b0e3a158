/** client: the typed HTTP client of the API, used by the CLI, the web UI and users' scripts. */
export { ContinuumClient } from './continuum-client.js'
export { deviceLogin, type DeviceLoginOptions } from './auth.js'
export { HttpTransport, type ClientOptions, type Query, type Loose } from './http.js'
export type * from '../contract/index.js'
export { LandscapeClient, RecordsClient } from './catalog-services.js'
export { TransfersClient, type TransferListQuery } from './transfers.js'
