/** The catalogue's services as allocation expressions see them (see allocation-scope.ts). */
import type { Executor } from '../db/index.js'
import { listCoveredServices, type CoveredService } from './allocation-scope.js'
import { listAllRecords } from './records.js'

export function listAllocationServices(db: Executor): Promise<CoveredService[]> {
  return listCoveredServices(db, listAllRecords)
}
