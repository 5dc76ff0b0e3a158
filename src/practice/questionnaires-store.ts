/**
 * The only code that touches practice_questionnaires, practice_questionnaire_versions,
 * practice_responses and practice_reviews.
 */
import { mapDatabaseError, type Executor } from '../db/index.js'
import type { AnswerValue, Question, Review } from '../contract/index.js'

export interface QuestionnaireRow {
  id: string
  name: string
  title: string
  groupId: string
  createdBy: string
  createdAt: string
}
export interface VersionRow {
  version: number
  questions: Question[]
  createdBy: string
  createdAt: string
}
export interface ResponseRow {
  version: number
  respondent: string
  community: string
  answers: Record<string, AnswerValue>
  submittedAt: Date
}

const iso = (d: Date | string) => new Date(d).toISOString()

export async function insertQuestionnaire(
  db: Executor,
  row: { id: string; name: string; title: string; groupId: string; by: string; at: Date },
): Promise<void> {
  try {
    await db
      .insertInto('practice_questionnaires')
      .values({
        id: row.id,
        name: row.name,
        title: row.title,
        working_group_id: row.groupId,
        created_by: row.by,
        created_at: row.at,
      })
      .execute()
  } catch (err) {
    throw mapDatabaseError(err, {
      unique: {
        code: 'QUESTIONNAIRE_ALREADY_EXISTS',
        message: `questionnaire '${row.name}' exists already`,
      },
      details: { questionnaire: row.name },
    })
  }
}

export async function insertVersion(
  db: Executor,
  row: {
    id: string
    questionnaireId: string
    version: number
    questions: Question[]
    by: string
    at: Date
  },
): Promise<void> {
  try {
    await db
      .insertInto('practice_questionnaire_versions')
      .values({
        id: row.id,
        questionnaire_id: row.questionnaireId,
        version: row.version,
        questions: JSON.stringify(row.questions),
        created_by: row.by,
        created_at: row.at,
      })
      .execute()
  } catch (err) {
    // Two new versions at once: the unique key lets one win; the other may retry.
    throw mapDatabaseError(err, {
      unique: {
        code: 'TRANSACTION_CONFLICT',
        message: 'another version was added at the same time; retry',
      },
    })
  }
}

export async function findQuestionnaire(
  db: Executor,
  name: string,
): Promise<QuestionnaireRow | undefined> {
  const r = await db
    .selectFrom('practice_questionnaires')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst()
  return r
    ? {
        id: r.id,
        name: r.name,
        title: r.title,
        groupId: r.working_group_id,
        createdBy: r.created_by,
        createdAt: iso(r.created_at),
      }
    : undefined
}

export async function selectQuestionnaires(db: Executor): Promise<QuestionnaireRow[]> {
  const rows = await db.selectFrom('practice_questionnaires').selectAll().orderBy('name').execute()
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    title: r.title,
    groupId: r.working_group_id,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  }))
}

export async function selectVersions(db: Executor, questionnaireId: string): Promise<VersionRow[]> {
  const rows = await db
    .selectFrom('practice_questionnaire_versions')
    .selectAll()
    .where('questionnaire_id', '=', questionnaireId)
    .orderBy('version')
    .execute()
  return rows.map((r) => ({
    version: r.version,
    questions: r.questions as Question[],
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  }))
}

/** One response per respondent and version: answering again replaces the respondent's own. */
export async function upsertResponse(
  db: Executor,
  row: { id: string; questionnaireId: string } & ResponseRow,
): Promise<void> {
  await db
    .insertInto('practice_responses')
    .values({
      id: row.id,
      questionnaire_id: row.questionnaireId,
      version: row.version,
      respondent: row.respondent,
      community: row.community,
      answers: JSON.stringify(row.answers),
      submitted_at: row.submittedAt,
    })
    .onConflict((oc) =>
      oc.columns(['questionnaire_id', 'version', 'respondent']).doUpdateSet({
        community: row.community,
        answers: JSON.stringify(row.answers),
        submitted_at: row.submittedAt,
      }),
    )
    .execute()
}

export async function selectResponses(
  db: Executor,
  questionnaireId: string,
  filter: { version?: number; respondent?: string } = {},
): Promise<ResponseRow[]> {
  let q = db
    .selectFrom('practice_responses')
    .selectAll()
    .where('questionnaire_id', '=', questionnaireId)
  if (filter.version !== undefined) q = q.where('version', '=', filter.version)
  if (filter.respondent !== undefined) q = q.where('respondent', '=', filter.respondent)
  const rows = await q.orderBy('submitted_at').orderBy('id').execute()
  return rows.map((r) => ({
    version: r.version,
    respondent: r.respondent,
    community: r.community,
    answers: r.answers as Record<string, AnswerValue>,
    submittedAt: new Date(r.submitted_at),
  }))
}

export async function insertReview(
  db: Executor,
  row: Omit<Review, 'questionnaire' | 'acceptedAt'> & {
    questionnaireId: string
    after: Record<string, unknown>
    at: Date
  },
): Promise<void> {
  await db
    .insertInto('practice_reviews')
    .values({
      id: row.id,
      questionnaire_id: row.questionnaireId,
      version: row.version,
      use_case: row.useCase,
      community: row.community,
      fields: JSON.stringify(row.fields),
      before: JSON.stringify(row.before),
      after: JSON.stringify(row.after),
      responses: row.responses,
      reviewer: row.reviewer,
      accepted_at: row.at,
    })
    .execute()
}

export async function selectReviews(
  db: Executor,
  questionnaire: { id: string; name: string },
): Promise<Review[]> {
  const rows = await db
    .selectFrom('practice_reviews')
    .selectAll()
    .where('questionnaire_id', '=', questionnaire.id)
    .orderBy('accepted_at')
    .orderBy('id')
    .execute()
  return rows.map((r) => ({
    id: r.id,
    questionnaire: questionnaire.name,
    version: r.version,
    useCase: r.use_case,
    community: r.community,
    fields: r.fields as Record<string, unknown>,
    before: r.before as Record<string, unknown>,
    responses: r.responses,
    reviewer: r.reviewer,
    acceptedAt: iso(r.accepted_at),
  }))
}
