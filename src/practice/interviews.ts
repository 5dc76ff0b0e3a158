/**
 * Stakeholder interviews against findings (SPECTRUM validated its first results through
 * interviews under an agreed protocol). A finding is open until a reviewer marks it validated
 * or contested — which needs at least one interview that supports, or contests, it.
 */
import { listAllRecords } from '../catalog/index.js'
import type {
  Finding,
  FindingCreate,
  FindingStatus,
  Interview,
  InterviewCreate,
  PracticeListQuery,
} from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'

interface Page<T> {
  items: T[]
  next: string | null
}
import { ContinuumError, decodeCursor, encodeCursor, newId } from '../platform/index.js'
import { assertDay, getGroupRef } from './groups.js'
import {
  insertFinding,
  insertInterview,
  selectFindings,
  selectInterviews,
  selectStanceCounts,
  updateFindingStatus,
  type FindingRow,
} from './interviews-store.js'

/** Which status a finding may move to from each status. */
export const findingTransitions: Record<FindingStatus, readonly FindingStatus[]> = {
  open: ['validated', 'contested'],
  validated: ['contested', 'open'],
  contested: ['validated', 'open'],
}

export async function getFindingRow(db: Executor, name: string): Promise<FindingRow> {
  const [row] = await selectFindings(db, { name })
  if (!row) {
    throw new ContinuumError('FINDING_NOT_FOUND', `finding '${name}' not found`, { finding: name })
  }
  return row
}

/** A page of findings, oldest first (keyset on creation time and name). */
export async function listFindings(
  ctx: Context,
  q: PracticeListQuery = {},
): Promise<Page<Finding>> {
  const groupId = q.group === undefined ? undefined : (await getGroupRef(ctx.db, q.group)).id
  const limit = q.limit ?? 50
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 2)
  const rows = await selectFindings(ctx.db, {
    ...(groupId === undefined ? {} : { groupId }),
    ...(after === undefined ? {} : { after: [after[0]!, after[1]!] as [string, string] }),
    limit: limit + 1,
  })
  const items = await describeFindings(ctx, rows.slice(0, limit))
  const last = items.at(-1)
  return {
    items,
    next: rows.length > limit && last ? encodeCursor([last.createdAt, last.name]) : null,
  }
}

export async function getFinding(ctx: Context, name: string): Promise<Finding> {
  const [found] = await describeFindings(ctx, [await getFindingRow(ctx.db, name)])
  return found!
}

async function describeFindings(ctx: Context, rows: FindingRow[]): Promise<Finding[]> {
  const groups = new Map((await listAllRecords(ctx.db, 'workingGroup')).map((g) => [g.id, g.name]))
  const stances = await selectStanceCounts(ctx.db)
  return rows.map(({ id, groupId: gid, ...f }) => ({
    ...f,
    workingGroup: groups.get(gid) ?? '',
    supports: stances.get(id)?.supports ?? 0,
    contests: stances.get(id)?.contests ?? 0,
  }))
}

export async function addFinding(ctx: Context, input: FindingCreate): Promise<Finding> {
  const g = await getGroupRef(ctx.db, input.workingGroup)
  await insertFinding(ctx.db, {
    id: newId(),
    name: input.name,
    groupId: g.id,
    statement: input.statement,
    by: ctx.actor.principal,
    at: ctx.clock.now(),
  })
  return getFinding(ctx, input.name)
}

export async function setFindingStatus(
  ctx: Context,
  name: string,
  to: FindingStatus,
  note = '',
): Promise<Finding> {
  const f = await getFindingRow(ctx.db, name)
  if (!findingTransitions[f.status].includes(to)) {
    throw new ContinuumError(
      'PRACTICE_STATE_CONFLICT',
      `finding '${name}' is ${f.status} already`,
      {
        finding: name,
        status: f.status,
      },
    )
  }
  const counts = (await selectStanceCounts(ctx.db)).get(f.id) ?? { supports: 0, contests: 0 }
  if (
    (to === 'validated' && counts.supports === 0) ||
    (to === 'contested' && counts.contests === 0)
  ) {
    throw new ContinuumError(
      'PRACTICE_STATE_CONFLICT',
      `finding '${name}' cannot be ${to}: no interview ${to === 'validated' ? 'supports' : 'contests'} it yet`,
      { finding: name, status: f.status, ...counts },
    )
  }
  const changed = await updateFindingStatus(ctx.db, {
    id: f.id,
    from: f.status,
    to,
    note,
    by: ctx.actor.principal,
    at: ctx.clock.now(),
  })
  if (!changed) {
    throw new ContinuumError('TRANSACTION_CONFLICT', `finding '${name}' changed meanwhile; retry`, {
      finding: name,
    })
  }
  return getFinding(ctx, name)
}

/** Records an interview against findings of the same working group (one transaction). */
export async function addInterview(ctx: Context, input: InterviewCreate): Promise<Interview> {
  const g = await getGroupRef(ctx.db, input.workingGroup)
  assertDay(input.heldOn, 'heldOn')
  const names = input.findings.map((f) => f.finding)
  if (new Set(names).size !== names.length) {
    throw new ContinuumError('VALIDATION_FAILED', 'findings: a finding is named twice', {
      errors: [{ field: 'findings', message: 'a finding is named twice' }],
    })
  }
  const id = newId()
  await ctx.db.transaction().execute(async (tx) => {
    const links = []
    for (const link of input.findings) {
      const f = await getFindingRow(tx, link.finding)
      if (f.groupId !== g.id) {
        throw new ContinuumError(
          'FINDING_NOT_FOUND',
          `finding '${link.finding}' is not one of working group '${g.name}'`,
          { finding: link.finding, workingGroup: g.name },
        )
      }
      links.push({ findingId: f.id, stance: link.stance, note: link.note ?? '' })
    }
    await insertInterview(tx, {
      id,
      groupId: g.id,
      interviewee: input.interviewee,
      protocol: input.protocol,
      heldOn: input.heldOn,
      summary: input.summary ?? '',
      by: ctx.actor.principal,
      at: ctx.clock.now(),
      links,
    })
  })
  const [row] = await selectInterviews(ctx.db, { id })
  return { ...row!, workingGroup: g.name }
}

/** A page of interviews, earliest held first (keyset on the day and id). */
export async function listInterviews(
  ctx: Context,
  q: PracticeListQuery = {},
): Promise<Page<Interview>> {
  const groupId = q.group === undefined ? undefined : (await getGroupRef(ctx.db, q.group)).id
  const limit = q.limit ?? 50
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 2)
  const groups = new Map((await listAllRecords(ctx.db, 'workingGroup')).map((g) => [g.id, g.name]))
  const rows = await selectInterviews(ctx.db, {
    ...(groupId === undefined ? {} : { groupId }),
    ...(after === undefined ? {} : { after: [after[0]!, after[1]!] as [string, string] }),
    limit: limit + 1,
  })
  const items = rows
    .slice(0, limit)
    .map(({ groupId: gid, ...i }) => ({ ...i, workingGroup: groups.get(gid) ?? '' }))
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor([last.heldOn, last.id]) : null }
}
