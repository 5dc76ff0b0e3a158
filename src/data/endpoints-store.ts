/** The only code that reads and writes storage_endpoints. */
import type { Selectable } from 'kysely'
import { mapDatabaseError, type Executor, type StorageEndpointsTable } from '../db/index.js'

export type EndpointRow = Selectable<StorageEndpointsTable>

export interface NewEndpointRow {
  id: string
  name: string
  attributes: Record<string, unknown>
  protocols: unknown[]
  available_read: boolean
  available_write: boolean
  available_delete: boolean
  capacity_bytes: number | null
  created_at: Date
  updated_at: Date
}

export async function insertEndpointRow(db: Executor, row: NewEndpointRow): Promise<void> {
  try {
    await db
      .insertInto('storage_endpoints')
      .values({
        ...row,
        attributes: JSON.stringify(row.attributes),
        protocols: JSON.stringify(row.protocols),
      })
      .execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: { code: 'ENDPOINT_ALREADY_EXISTS', message: `endpoint '${row.name}' exists already` },
      details: { endpoint: row.name },
    })
  }
}

export async function findEndpointRow(
  db: Executor,
  by: { id: string } | { name: string },
): Promise<EndpointRow | undefined> {
  const query = db.selectFrom('storage_endpoints').selectAll()
  return 'id' in by
    ? query.where('id', '=', by.id).executeTakeFirst()
    : query.where('name', '=', by.name).executeTakeFirst()
}

/** Every endpoint; federations have hundreds to a few thousand, the expression index needs them all. */
export async function listEndpointRows(db: Executor): Promise<EndpointRow[]> {
  return db.selectFrom('storage_endpoints').selectAll().orderBy('name').execute()
}

export interface EndpointChanges {
  attributes?: Record<string, unknown>
  protocols?: unknown[]
  available_read?: boolean
  available_write?: boolean
  available_delete?: boolean
  capacity_bytes?: number | null
  updated_at: Date
}

export async function updateEndpointRow(
  db: Executor,
  id: string,
  changes: EndpointChanges,
): Promise<void> {
  const { attributes, protocols, ...rest } = changes
  await db
    .updateTable('storage_endpoints')
    .set({
      ...rest,
      ...(attributes === undefined ? {} : { attributes: JSON.stringify(attributes) }),
      ...(protocols === undefined ? {} : { protocols: JSON.stringify(protocols) }),
    })
    .where('id', '=', id)
    .execute()
}

/** Accounts bytes arriving (+) or leaving (−) an endpoint. */
export async function addUsedBytes(db: Executor, id: string, delta: number): Promise<void> {
  if (delta === 0) return
  await db
    .updateTable('storage_endpoints')
    .set((eb) => ({ used_bytes: eb('used_bytes', '+', delta) }))
    .where('id', '=', id)
    .execute()
}
