/**
 * Drafts published for consultation (the SRIDA and the Blueprint went to open consultation):
 * a working group writes a draft, its coordinators publish it, anyone signed in comments and
 * replies in threads while it is under consultation, and coordinators resolve each comment as
 * accepted, rejected or answered — with who and when — until the consultation closes.
 */
import { listAllRecords } from '../catalog/index.js'
import type {
  Comment,
  CommentCreate,
  CommentResolve,
  Draft,
  DraftCreate,
} from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import { ContinuumError, decodeCursor, encodeCursor, newId } from '../platform/index.js'
import { getGroupRef } from './groups.js'
import {
  insertComment,
  insertDraft,
  resolveCommentRow,
  selectComments,
  selectDrafts,
  updateDraftStatus,
  type DraftRow,
} from './drafts-store.js'

export async function getDraftRow(db: Executor, name: string): Promise<DraftRow> {
  const [row] = await selectDrafts(db, { name })
  if (!row) {
    throw new ContinuumError('DRAFT_NOT_FOUND', `draft '${name}' not found`, { draft: name })
  }
  return row
}

async function toDraft(ctx: Context, d: DraftRow): Promise<Draft> {
  const groups = new Map((await listAllRecords(ctx.db, 'workingGroup')).map((g) => [g.id, g.name]))
  const { id, groupId, ...rest } = d
  return {
    ...rest,
    workingGroup: groups.get(groupId) ?? '',
    comments: await selectComments(ctx.db, id),
  }
}

export async function getDraft(ctx: Context, name: string): Promise<Draft> {
  return toDraft(ctx, await getDraftRow(ctx.db, name))
}

/** A page of drafts by name. */
export async function listDrafts(
  ctx: Context,
  q: { limit?: number; cursor?: string } = {},
): Promise<{ items: Draft[]; next: string | null }> {
  const limit = q.limit ?? 50
  const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, 1)[0]
  const rows = await selectDrafts(ctx.db, {
    ...(after === undefined ? {} : { after }),
    limit: limit + 1,
  })
  const items: Draft[] = []
  for (const d of rows.slice(0, limit)) items.push(await toDraft(ctx, d))
  const last = items.at(-1)
  return { items, next: rows.length > limit && last ? encodeCursor([last.name]) : null }
}

export async function addDraft(ctx: Context, input: DraftCreate): Promise<Draft> {
  const g = await getGroupRef(ctx.db, input.workingGroup)
  await insertDraft(ctx.db, {
    id: newId(),
    name: input.name,
    title: input.title,
    groupId: g.id,
    body: input.body,
    by: ctx.actor.principal,
    at: ctx.clock.now(),
  })
  return getDraft(ctx, input.name)
}

const nextStatus = {
  publish: ['draft', 'consultation'],
  close: ['consultation', 'closed'],
} as const

/** `publish` opens the consultation; `close` ends it. */
export async function moveDraft(
  ctx: Context,
  name: string,
  step: 'publish' | 'close',
): Promise<Draft> {
  const d = await getDraftRow(ctx.db, name)
  const [from, to] = nextStatus[step]
  if (
    d.status !== from ||
    !(await updateDraftStatus(ctx.db, { id: d.id, from, to, at: ctx.clock.now() }))
  ) {
    throw new ContinuumError(
      'PRACTICE_STATE_CONFLICT',
      `draft '${name}' is ${d.status}: only a ${from} draft can be ${step === 'publish' ? 'published' : 'closed'}`,
      { draft: name, status: d.status },
    )
  }
  return getDraft(ctx, name)
}

export async function addComment(
  ctx: Context,
  name: string,
  input: CommentCreate,
): Promise<Comment> {
  const d = await getDraftRow(ctx.db, name)
  if (d.status !== 'consultation') {
    throw new ContinuumError(
      'PRACTICE_STATE_CONFLICT',
      `draft '${name}' is ${d.status}, not under consultation`,
      {
        draft: name,
        status: d.status,
      },
    )
  }
  if (
    input.parent !== undefined &&
    !(await selectComments(ctx.db, d.id)).some((c) => c.id === input.parent)
  ) {
    throw new ContinuumError(
      'COMMENT_NOT_FOUND',
      `draft '${name}' has no comment ${input.parent} to reply to`,
      {
        draft: name,
        comment: input.parent,
      },
    )
  }
  const id = newId()
  await insertComment(ctx.db, {
    id,
    draftId: d.id,
    parentId: input.parent ?? null,
    author: ctx.actor.principal,
    community: ctx.actor.communities[0] ?? null,
    body: input.body,
    at: ctx.clock.now(),
  })
  return (await selectComments(ctx.db, d.id)).find((c) => c.id === id)!
}

export async function resolveComment(
  ctx: Context,
  name: string,
  commentId: string,
  input: CommentResolve,
): Promise<Comment> {
  const d = await getDraftRow(ctx.db, name)
  const comment = (await selectComments(ctx.db, d.id)).find((c) => c.id === commentId)
  if (!comment) {
    throw new ContinuumError('COMMENT_NOT_FOUND', `draft '${name}' has no comment ${commentId}`, {
      draft: name,
      comment: commentId,
    })
  }
  if (
    comment.status !== 'open' ||
    !(await resolveCommentRow(ctx.db, {
      id: commentId,
      status: input.resolution,
      note: input.note,
      by: ctx.actor.principal,
      at: ctx.clock.now(),
    }))
  ) {
    throw new ContinuumError(
      'PRACTICE_STATE_CONFLICT',
      `comment ${commentId} is ${comment.status} already`,
      {
        comment: commentId,
        status: comment.status,
      },
    )
  }
  return (await selectComments(ctx.db, d.id)).find((c) => c.id === commentId)!
}
