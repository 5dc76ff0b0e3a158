/** The only code that touches practice_findings, practice_interviews and practice_interview_findings. */
import { mapDatabaseError, type Executor } from '../db/index.js'
import type { Finding, FindingStatus, Interview } from '../contract/index.js'

const iso = (d: Date | string) => new Date(d).toISOString()

export interface FindingRow extends Omit<Finding, 'workingGroup' | 'supports' | 'contests'> {
  id: string
  groupId: string
}

export async function insertFinding(
  db: Executor,
  row: { id: string; name: string; groupId: string; statement: string; by: string; at: Date },
): Promise<void> {
  try {
    await db
      .insertInto('practice_findings')
      .values({
        id: row.id,
        name: row.name,
        working_group_id: row.groupId,
        statement: row.statement,
        created_by: row.by,
        created_at: row.at,
      })
      .execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: { code: 'FINDING_ALREADY_EXISTS', message: `finding '${row.name}' exists already` },
      details: { finding: row.name },
    })
  }
}

export async function selectFindings(
  db: Executor,
  filter: { name?: string; groupId?: string; after?: [string, string]; limit?: number } = {},
): Promise<FindingRow[]> {
  let q = db.selectFrom('practice_findings').selectAll()
  if (filter.name !== undefined) q = q.where('name', '=', filter.name)
  if (filter.groupId !== undefined) q = q.where('working_group_id', '=', filter.groupId)
  const after = filter.after
  if (after !== undefined) {
    q = q.where((eb) =>
      eb(eb.refTuple('created_at', 'name'), '>', eb.tuple(new Date(after[0]), after[1])),
    )
  }
  if (filter.limit !== undefined) q = q.limit(filter.limit)
  const rows = await q.orderBy('created_at').orderBy('name').execute()
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    groupId: r.working_group_id,
    statement: r.statement,
    status: r.status as FindingStatus,
    statusNote: r.status_note,
    statusBy: r.status_by,
    statusAt: r.status_at === null ? null : iso(r.status_at),
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  }))
}

/** Sets the status only if it is still `from` (a concurrent change makes this return false). */
export async function updateFindingStatus(
  db: Executor,
  row: { id: string; from: FindingStatus; to: FindingStatus; note: string; by: string; at: Date },
): Promise<boolean> {
  const r = await db
    .updateTable('practice_findings')
    .set({ status: row.to, status_note: row.note, status_by: row.by, status_at: row.at })
    .where('id', '=', row.id)
    .where('status', '=', row.from)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) === 1
}

export async function insertInterview(
  db: Executor,
  row: Omit<Interview, 'workingGroup' | 'findings' | 'createdBy' | 'createdAt'> & {
    groupId: string
    by: string
    at: Date
    links: Array<{ findingId: string; stance: string; note: string }>
  },
): Promise<void> {
  await db
    .insertInto('practice_interviews')
    .values({
      id: row.id,
      working_group_id: row.groupId,
      interviewee: row.interviewee,
      protocol: row.protocol,
      held_on: row.heldOn,
      summary: row.summary,
      created_by: row.by,
      created_at: row.at,
    })
    .execute()
  await db
    .insertInto('practice_interview_findings')
    .values(
      row.links.map((l) => ({
        interview_id: row.id,
        finding_id: l.findingId,
        stance: l.stance,
        note: l.note,
      })),
    )
    .execute()
}

export interface InterviewRow extends Omit<Interview, 'workingGroup'> {
  groupId: string
}

export async function selectInterviews(
  db: Executor,
  filter: {
    groupId?: string
    findingId?: string
    id?: string
    after?: [string, string]
    limit?: number
  } = {},
): Promise<InterviewRow[]> {
  let q = db.selectFrom('practice_interviews').selectAll()
  if (filter.groupId !== undefined) q = q.where('working_group_id', '=', filter.groupId)
  if (filter.id !== undefined) q = q.where('id', '=', filter.id)
  const after = filter.after
  if (after !== undefined) {
    q = q.where((eb) => eb(eb.refTuple('held_on', 'id'), '>', eb.tuple(after[0], after[1])))
  }
  if (filter.limit !== undefined) q = q.limit(filter.limit)
  if (filter.findingId !== undefined) {
    const findingId = filter.findingId
    q = q.where('id', 'in', (eb) =>
      eb
        .selectFrom('practice_interview_findings')
        .select('interview_id')
        .where('finding_id', '=', findingId),
    )
  }
  const rows = await q.orderBy('held_on').orderBy('id').execute()
  if (rows.length === 0) return []
  const links = await db
    .selectFrom('practice_interview_findings as l')
    .innerJoin('practice_findings as f', 'f.id', 'l.finding_id')
    .select(['l.interview_id', 'f.name', 'l.stance', 'l.note'])
    .where(
      'l.interview_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('f.name')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    groupId: r.working_group_id,
    interviewee: r.interviewee,
    protocol: r.protocol,
    heldOn: r.held_on,
    summary: r.summary,
    findings: links
      .filter((l) => l.interview_id === r.id)
      .map((l) => ({ finding: l.name, stance: l.stance as 'supports', note: l.note })),
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  }))
}

/** How many interviews support and contest each finding. */
export async function selectStanceCounts(
  db: Executor,
): Promise<Map<string, { supports: number; contests: number }>> {
  const rows = await db
    .selectFrom('practice_interview_findings')
    .select(['finding_id', 'stance', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['finding_id', 'stance'])
    .execute()
  const out = new Map<string, { supports: number; contests: number }>()
  for (const r of rows) {
    const c = out.get(r.finding_id) ?? { supports: 0, contests: 0 }
    if (r.stance === 'supports') c.supports = Number(r.n)
    if (r.stance === 'contests') c.contests = Number(r.n)
    out.set(r.finding_id, c)
  }
  return out
}
