/** Usage records written as tasks finish (the accounting reads them). */
import type { Insertable } from 'kysely'
import type { Executor, UsageRecordsTable } from '../db/index.js'
import { inChunks } from './workflows-store.js'

export type NewUsageRecord = Insertable<UsageRecordsTable>

export async function insertUsageRows(db: Executor, rows: NewUsageRecord[]): Promise<void> {
  await inChunks(rows, (part) =>
    db
      .insertInto('usage_records')
      .values(part)
      .onConflict((oc) => oc.columns(['task_id', 'attempt']).doNothing())
      .execute(),
  )
}
