/** The only code that touches practice_drafts and practice_comments. */
import { mapDatabaseError, type Executor } from '../db/index.js'
import type { Comment } from '../contract/index.js'

const iso = (d: Date | string) => new Date(d).toISOString()
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d))

export interface DraftRow {
  id: string
  name: string
  title: string
  groupId: string
  body: string
  status: 'draft' | 'consultation' | 'closed'
  createdBy: string
  createdAt: string
  publishedAt: string | null
  closedAt: string | null
}

export async function insertDraft(
  db: Executor,
  row: {
    id: string
    name: string
    title: string
    groupId: string
    body: string
    by: string
    at: Date
  },
): Promise<void> {
  try {
    await db
      .insertInto('practice_drafts')
      .values({
        id: row.id,
        name: row.name,
        title: row.title,
        working_group_id: row.groupId,
        body: row.body,
        created_by: row.by,
        created_at: row.at,
      })
      .execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: { code: 'DRAFT_ALREADY_EXISTS', message: `draft '${row.name}' exists already` },
      details: { draft: row.name },
    })
  }
}

export async function selectDrafts(
  db: Executor,
  filter: { name?: string; after?: string; limit?: number } = {},
): Promise<DraftRow[]> {
  let q = db.selectFrom('practice_drafts').selectAll()
  if (filter.name !== undefined) q = q.where('name', '=', filter.name)
  if (filter.after !== undefined) q = q.where('name', '>', filter.after)
  if (filter.limit !== undefined) q = q.limit(filter.limit)
  const rows = await q.orderBy('name').execute()
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    title: r.title,
    groupId: r.working_group_id,
    body: r.body,
    status: r.status as DraftRow['status'],
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    publishedAt: isoOrNull(r.published_at),
    closedAt: isoOrNull(r.closed_at),
  }))
}

/** Moves a draft from one status to the next; false when it was not in `from` any more. */
export async function updateDraftStatus(
  db: Executor,
  row: { id: string; from: DraftRow['status']; to: DraftRow['status']; at: Date },
): Promise<boolean> {
  const r = await db
    .updateTable('practice_drafts')
    .set(
      row.to === 'consultation'
        ? { status: row.to, published_at: row.at }
        : { status: row.to, closed_at: row.at },
    )
    .where('id', '=', row.id)
    .where('status', '=', row.from)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

export async function insertComment(
  db: Executor,
  row: {
    id: string
    draftId: string
    parentId: string | null
    author: string
    community: string | null
    body: string
    at: Date
  },
): Promise<void> {
  await db
    .insertInto('practice_comments')
    .values({
      id: row.id,
      draft_id: row.draftId,
      parent_id: row.parentId,
      author: row.author,
      community: row.community,
      body: row.body,
      created_at: row.at,
    })
    .execute()
}

export async function selectComments(db: Executor, draftId: string): Promise<Comment[]> {
  const rows = await db
    .selectFrom('practice_comments')
    .selectAll()
    .where('draft_id', '=', draftId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    parent: r.parent_id,
    author: r.author,
    community: r.community,
    body: r.body,
    status: r.status as Comment['status'],
    resolution: r.resolution,
    resolvedBy: r.resolved_by,
    resolvedAt: isoOrNull(r.resolved_at),
    createdAt: iso(r.created_at),
  }))
}

/** Resolves an open comment; false when it was resolved meanwhile. */
export async function resolveCommentRow(
  db: Executor,
  row: { id: string; status: string; note: string; by: string; at: Date },
): Promise<boolean> {
  const r = await db
    .updateTable('practice_comments')
    .set({ status: row.status, resolution: row.note, resolved_by: row.by, resolved_at: row.at })
    .where('id', '=', row.id)
    .where('status', '=', 'open')
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}
