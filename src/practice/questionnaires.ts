/**
 * Versioned questionnaires (D3.1's survey): a working group's coordinators write a
 * questionnaire and may publish new versions; every signed-in identity answers as itself, for
 * one of its communities. A response records the version it answered, so a new version never
 * changes old responses; answering the same version again replaces one's own response.
 */
import type {
  AnswerValue,
  PracticeResponse,
  Question,
  Questionnaire,
  QuestionnaireCreate,
  ResponseSubmit,
  Results,
} from '../contract/index.js'
import type { Context, Executor } from '../db/index.js'
import { surveyQuestions } from '../landscape/index.js'
import { ContinuumError, newId } from '../platform/index.js'
import { byCommunity, overTime, proposal, summarise } from './aggregate.js'
import { getGroupRef } from './groups.js'
import { listAllRecords } from '../catalog/index.js'
import {
  findQuestionnaire,
  insertQuestionnaire,
  insertVersion,
  selectQuestionnaires,
  selectResponses,
  selectReviews,
  selectVersions,
  upsertResponse,
  type QuestionnaireRow,
  type VersionRow,
} from './questionnaires-store.js'

type FieldError = { field: string; message: string }
const invalid = (errors: FieldError[]) =>
  new ContinuumError(
    'VALIDATION_FAILED',
    errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    {
      errors,
    },
  )

const profileQuestions = new Map(surveyQuestions.map((q) => [q.id, q]))
const compatible: Record<Question['kind'], string[]> = {
  number: ['number'],
  share: ['share'],
  boolean: ['boolean'],
  choice: ['choice'],
  choices: ['choices', 'list'],
  text: [],
}

/** Refuses duplicate ids, choices where none belong, and profile fields of another kind. */
export function checkQuestions(questions: Question[]): void {
  const errors: FieldError[] = []
  const seen = new Set<string>()
  questions.forEach((q, i) => {
    const at = `questions.${i}`
    if (seen.has(q.id)) errors.push({ field: `${at}.id`, message: `'${q.id}' appears twice` })
    seen.add(q.id)
    const choices = q.choices ?? []
    const hasChoices = q.kind === 'choice' || q.kind === 'choices'
    if (hasChoices && (choices.length < 2 || new Set(choices).size !== choices.length)) {
      errors.push({ field: `${at}.choices`, message: 'needs at least two distinct choices' })
    }
    if (!hasChoices && choices.length > 0) {
      errors.push({ field: `${at}.choices`, message: `a ${q.kind} question has no choices` })
    }
    if (q.profilePath === undefined || q.profilePath === null) return
    const target = profileQuestions.get(q.profilePath)
    if (!target) {
      errors.push({
        field: `${at}.profilePath`,
        message: `'${q.profilePath}' is not a requirement-profile field (see GET /landscape/survey)`,
      })
    } else if (!compatible[q.kind].includes(target.answer)) {
      errors.push({
        field: `${at}.profilePath`,
        message: `'${q.profilePath}' takes a ${target.answer} answer, not ${q.kind}`,
      })
    } else if (target.choices.length > 0) {
      const foreign = choices.filter((c) => !target.choices.includes(c))
      if (foreign.length > 0) {
        errors.push({
          field: `${at}.choices`,
          message: `${foreign.join(', ')} not allowed in ${q.profilePath} (${target.choices.join(', ')})`,
        })
      }
    }
  })
  if (errors.length > 0) throw invalid(errors)
}

export function checkAnswers(questions: Question[], answers: Record<string, AnswerValue>): void {
  const byId = new Map(questions.map((q) => [q.id, q]))
  const errors: FieldError[] = []
  if (Object.keys(answers).length === 0) errors.push({ field: 'answers', message: 'no answers' })
  for (const [id, value] of Object.entries(answers)) {
    const q = byId.get(id)
    const field = `answers.${id}`
    if (!q) {
      errors.push({ field, message: 'no such question in this version' })
      continue
    }
    const choices = q.choices ?? []
    const problem =
      q.kind === 'number'
        ? typeof value !== 'number' || !Number.isFinite(value)
          ? 'expected a number'
          : value < 0
            ? 'must be 0 or more'
            : null
        : q.kind === 'share'
          ? typeof value !== 'number' || value < 0 || value > 1
            ? 'expected a share between 0 and 1'
            : null
          : q.kind === 'boolean'
            ? typeof value !== 'boolean'
              ? 'expected true or false'
              : null
            : q.kind === 'choice'
              ? typeof value !== 'string' || !choices.includes(value)
                ? `expected one of ${choices.join(', ')}`
                : null
              : q.kind === 'choices'
                ? !Array.isArray(value) ||
                  value.some((v) => !choices.includes(v)) ||
                  new Set(value).size !== value.length
                  ? `expected distinct items of ${choices.join(', ')}`
                  : null
                : typeof value !== 'string'
                  ? 'expected text'
                  : null
    if (problem !== null) errors.push({ field, message: problem })
  }
  if (errors.length > 0) throw invalid(errors)
}

export async function getQuestionnaireRow(db: Executor, name: string): Promise<QuestionnaireRow> {
  const q = await findQuestionnaire(db, name)
  if (!q) {
    throw new ContinuumError('QUESTIONNAIRE_NOT_FOUND', `questionnaire '${name}' not found`, {
      questionnaire: name,
    })
  }
  return q
}

export async function versionOf(
  db: Executor,
  q: QuestionnaireRow,
  version: number | undefined,
): Promise<VersionRow> {
  const versions = await selectVersions(db, q.id)
  const found =
    version === undefined ? versions.at(-1) : versions.find((v) => v.version === version)
  if (!found) {
    throw new ContinuumError(
      'QUESTIONNAIRE_NOT_FOUND',
      `questionnaire '${q.name}' has no version ${String(version)}`,
      { questionnaire: q.name, version },
    )
  }
  return found
}

export async function addQuestionnaire(
  ctx: Context,
  input: QuestionnaireCreate,
): Promise<Questionnaire> {
  checkQuestions(input.questions)
  const group = await getGroupRef(ctx.db, input.workingGroup)
  await ctx.db.transaction().execute(async (tx) => {
    const id = newId()
    const at = ctx.clock.now()
    await insertQuestionnaire(tx, {
      id,
      name: input.name,
      title: input.title,
      groupId: group.id,
      by: ctx.actor.principal,
      at,
    })
    await insertVersion(tx, {
      id: newId(),
      questionnaireId: id,
      version: 1,
      questions: input.questions,
      by: ctx.actor.principal,
      at,
    })
  })
  return getQuestionnaire(ctx, input.name)
}

/** Publishes the next version; responses to earlier versions stay as they were. */
export async function addQuestionnaireVersion(
  ctx: Context,
  name: string,
  questions: Question[],
): Promise<Questionnaire> {
  checkQuestions(questions)
  const q = await getQuestionnaireRow(ctx.db, name)
  const latest = await versionOf(ctx.db, q, undefined)
  await insertVersion(ctx.db, {
    id: newId(),
    questionnaireId: q.id,
    version: latest.version + 1,
    questions,
    by: ctx.actor.principal,
    at: ctx.clock.now(),
  })
  return getQuestionnaire(ctx, name)
}

export async function getQuestionnaire(ctx: Context, name: string): Promise<Questionnaire> {
  const q = await getQuestionnaireRow(ctx.db, name)
  const groups = await listAllRecords(ctx.db, 'workingGroup')
  const responses = await selectResponses(ctx.db, q.id)
  const versions = (await selectVersions(ctx.db, q.id)).map((v) => ({
    ...v,
    responses: responses.filter((r) => r.version === v.version).length,
  }))
  return {
    name: q.name,
    title: q.title,
    workingGroup: groups.find((g) => g.id === q.groupId)?.name ?? '',
    createdBy: q.createdBy,
    createdAt: q.createdAt,
    latestVersion: versions.at(-1)?.version ?? 0,
    versions,
    reviews: await selectReviews(ctx.db, q),
  }
}

export async function listQuestionnaires(ctx: Context): Promise<
  Array<{
    name: string
    title: string
    workingGroup: string
    latestVersion: number
    responses: number
  }>
> {
  const groups = await listAllRecords(ctx.db, 'workingGroup')
  const out = []
  for (const q of await selectQuestionnaires(ctx.db)) {
    const versions = await selectVersions(ctx.db, q.id)
    out.push({
      name: q.name,
      title: q.title,
      workingGroup: groups.find((g) => g.id === q.groupId)?.name ?? '',
      latestVersion: versions.at(-1)?.version ?? 0,
      responses: (await selectResponses(ctx.db, q.id)).length,
    })
  }
  return out
}

/** Stores the caller's response (one per version; a second answer replaces the first). */
export async function submitResponse(
  ctx: Context,
  name: string,
  input: ResponseSubmit,
): Promise<PracticeResponse> {
  const q = await getQuestionnaireRow(ctx.db, name)
  const v = await versionOf(ctx.db, q, input.version)
  const community = input.community ?? ctx.actor.communities[0]
  if (community === undefined || !ctx.actor.communities.includes(community)) {
    throw invalid([
      {
        field: 'community',
        message:
          community === undefined
            ? 'answer as a member of a community: your identity names none'
            : `you are not a member of '${community}' (yours: ${ctx.actor.communities.join(', ')})`,
      },
    ])
  }
  checkAnswers(v.questions, input.answers)
  const submittedAt = ctx.clock.now()
  await upsertResponse(ctx.db, {
    id: newId(),
    questionnaireId: q.id,
    version: v.version,
    respondent: ctx.actor.principal,
    community,
    answers: input.answers,
    submittedAt,
  })
  return {
    questionnaire: q.name,
    version: v.version,
    respondent: ctx.actor.principal,
    community,
    answers: input.answers,
    submittedAt: submittedAt.toISOString(),
  }
}

/** The caller's own responses (every version). */
export async function myResponses(ctx: Context, name: string): Promise<PracticeResponse[]> {
  const q = await getQuestionnaireRow(ctx.db, name)
  return (await selectResponses(ctx.db, q.id, { respondent: ctx.actor.principal })).map((r) => ({
    questionnaire: q.name,
    version: r.version,
    respondent: r.respondent,
    community: r.community,
    answers: r.answers,
    submittedAt: r.submittedAt.toISOString(),
  }))
}

export async function questionnaireResults(
  ctx: Context,
  name: string,
  filter: { version?: number | undefined; community?: string | undefined },
): Promise<Results> {
  const q = await getQuestionnaireRow(ctx.db, name)
  const v = await versionOf(ctx.db, q, filter.version)
  const all = await selectResponses(ctx.db, q.id, { version: v.version })
  const responses =
    filter.community === undefined ? all : all.filter((r) => r.community === filter.community)
  const questions = summarise(v.questions, responses)
  return {
    questionnaire: q.name,
    version: v.version,
    community: filter.community ?? null,
    responses: responses.length,
    questions,
    byCommunity: byCommunity(v.questions, responses),
    overTime: overTime(v.questions, responses),
    proposal: proposal(questions),
  }
}
