/**
 * The reviewed path from survey results to a use case's requirement profile: aggregated
 * results change nothing until a reviewer accepts them; the acceptance records which fields,
 * their values before and after, how many responses stood behind them, who and when — in the
 * same transaction as the profile change.
 */
import { updateRecordIn } from '../catalog/index.js'
import type { RequirementProfile, Review, ReviewCreate } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { applySurveyAnswers } from '../landscape/index.js'
import { ContinuumError, newId } from '../platform/index.js'
import { getQuestionnaireRow, questionnaireResults } from './questionnaires.js'
import { insertReview, selectReviews } from './questionnaires-store.js'

export async function acceptResults(
  ctx: Context,
  name: string,
  input: ReviewCreate,
): Promise<Review> {
  const q = await getQuestionnaireRow(ctx.db, name)
  const results = await questionnaireResults(ctx, name, {
    version: input.version,
    community: input.community,
  })
  if (results.responses === 0) {
    throw new ContinuumError('VALIDATION_FAILED', 'no responses to accept', {
      errors: [{ field: 'version', message: `version ${results.version} has no responses` }],
    })
  }
  const wanted = input.fields ?? Object.keys(results.proposal)
  const missing = wanted.filter((f) => !(f in results.proposal))
  if (missing.length > 0 || wanted.length === 0) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      wanted.length === 0
        ? 'the results propose no profile values (no question feeds a profile field, or no majority)'
        : `no aggregated value for ${missing.join(', ')}`,
      {
        errors: (missing.length > 0 ? missing : ['fields']).map((f) => ({
          field: `fields.${f}`,
          message: 'not in the proposal of these results',
        })),
        proposal: results.proposal,
      },
    )
  }
  const fields = Object.fromEntries(wanted.map((f) => [f, results.proposal[f]])) as Record<
    string,
    never
  >
  const id = newId()
  const at = ctx.clock.now()
  await ctx.db.transaction().execute(async (tx) => {
    let before: Record<string, unknown> = {}
    let after: Record<string, unknown> = {}
    const updated = await updateRecordIn(tx, ctx.clock, 'useCase', input.useCase, (current) => {
      const profile = current.profile as RequirementProfile
      before = pick(profile, wanted)
      return { profile: applySurveyAnswers(profile, fields) }
    })
    after = pick(updated.profile as RequirementProfile, wanted)
    await insertReview(tx, {
      id,
      questionnaireId: q.id,
      version: results.version,
      useCase: updated.name,
      community: input.community ?? null,
      fields,
      before,
      after,
      responses: results.responses,
      reviewer: ctx.actor.principal,
      at,
    })
  })
  return (await selectReviews(ctx.db, q)).find((r) => r.id === id)!
}

function pick(profile: RequirementProfile, paths: string[]): Record<string, unknown> {
  const p = profile as Record<string, Record<string, unknown> | undefined>
  return Object.fromEntries(
    paths.map((path) => {
      const [area, field] = path.split('.') as [string, string]
      return [path, p[area]?.[field] ?? null]
    }),
  )
}
