/**
 * catalog: the landscape's records — communities and e-Infrastructures (later sites, services,
 * endpoints, policies, allocations). Writes the tables communities and infrastructures.
 */
export * from './communities.js'
export * from './infrastructures.js'
export { assertCountry, countryName } from './validation.js'
