/**
 * catalog: the landscape's records — communities, infrastructures, sites, compute and storage
 * services, software environments, network links, access policies, allocations, working
 * groups and members (plus the use-case and document tables the landscape domain describes).
 * Writes the tables communities, infrastructures and those of migration 0003_landscape.
 */
export * from './communities.js'
export * from './infrastructures.js'
export { assertCountry, countryName } from './validation.js'
export { kinds, kindNames, type KindName, type KindSpec } from './kinds.js'
export {
  addRecord,
  addRecordIn,
  deleteRecord,
  findRecord,
  getRecord,
  listAllRecords,
  listRecords,
  updateRecord,
  updateRecordIn,
  type RecordListOptions,
  type WireRecord,
} from './records.js'
export {
  importCatalog,
  importRecords,
  readCatalogFiles,
  invalid as importInvalid,
  type ImportInput,
} from './catalog-import.js'
export { exportCatalog, exportCatalogYaml } from './catalog-export.js'
export { parseQuantity } from './quantities.js'
export {
  allocationActive,
  allocationExpression,
  allocationGrants,
  allocationPeriod,
  coveredNames,
  matchesService,
  parseServiceExpression,
  type CoveredService,
  type Grant,
} from './allocation-scope.js'
export { listAllocationServices } from './allocation-services.js'
export { located, type LocatedRecord } from './catalog-file-parse.js'
export { importGlue2 } from './glue2-import.js'
export { isLdif } from './glue2-ldif.js'
export { catalogJsonSchema, catalogJsonSchemaText } from './catalog-schema.js'
