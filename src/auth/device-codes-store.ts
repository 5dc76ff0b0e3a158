/** The only code that reads and writes `auth_device_codes` (RFC 8628 device authorisations). */
import type { Selectable } from 'kysely'
import type { AuthDeviceCodesTable, Executor } from '../db/index.js'

export type DeviceCodeRow = Selectable<AuthDeviceCodesTable>

export async function insertDeviceCode(db: Executor, row: DeviceCodeRow): Promise<void> {
  await db
    .insertInto('auth_device_codes')
    .values({ ...row, groups: row.groups === null ? null : JSON.stringify(row.groups) })
    .execute()
}

export async function findDeviceCodeByUserCode(
  db: Executor,
  userCode: string,
): Promise<DeviceCodeRow | undefined> {
  return db
    .selectFrom('auth_device_codes')
    .selectAll()
    .where('user_code', '=', userCode)
    .executeTakeFirst()
}

export async function approveDeviceCode(
  db: Executor,
  userCode: string,
  subject: string,
  groups: string[],
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('auth_device_codes')
    .set({ status: 'approved', subject, groups: JSON.stringify(groups) })
    .where('user_code', '=', userCode)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/**
 * Exchanges an approved code exactly once: the row moves to `consumed` in the same statement
 * that reads it, so a replayed or concurrent second exchange finds nothing to take.
 */
export async function consumeDeviceCode(
  db: Executor,
  hash: string,
): Promise<DeviceCodeRow | undefined> {
  return db
    .updateTable('auth_device_codes')
    .set({ status: 'consumed' })
    .where('device_code_hash', '=', hash)
    .where('status', '=', 'approved')
    .returningAll()
    .executeTakeFirst()
}

export async function findDeviceCode(
  db: Executor,
  hash: string,
): Promise<DeviceCodeRow | undefined> {
  return db
    .selectFrom('auth_device_codes')
    .selectAll()
    .where('device_code_hash', '=', hash)
    .executeTakeFirst()
}
