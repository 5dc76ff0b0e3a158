/**
 * practice: communities of practice at work (D3.1) — working-group charters, memberships with
 * roles, meetings, versioned questionnaires with responses, results and reviews into use-case
 * profiles, interviews against findings, drafts under consultation with threaded comments, and
 * the knowledge-hub search. Writes the practice_* tables; groups and use cases via catalog.
 */
import type { PracticeRole } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { findRecord } from '../catalog/index.js'
import { ContinuumError } from '../platform/index.js'
import { getDraftRow } from './drafts.js'
import { getGroupRef, roleIn, type GroupRef } from './groups.js'
import { getFindingRow } from './interviews.js'
import { getQuestionnaireRow } from './questionnaires.js'

export {
  addGroup,
  addMeeting,
  addMember,
  getGroup,
  listGroups,
  updateCharter,
  type GroupRef,
} from './groups.js'
export { meetingRecorder, removeMember, updateMeeting, updateMember } from './group-changes.js'
export {
  addQuestionnaire,
  addQuestionnaireVersion,
  checkAnswers,
  checkQuestions,
  getQuestionnaire,
  listQuestionnaires,
  myResponses,
  questionnaireResults,
  submitResponse,
} from './questionnaires.js'
export { byCommunity, overTime, proposal, summarise } from './aggregate.js'
export { acceptResults } from './reviews.js'
export {
  addFinding,
  addInterview,
  findingTransitions,
  getFinding,
  listFindings,
  listInterviews,
  setFindingStatus,
} from './interviews.js'
export { addComment, addDraft, getDraft, listDrafts, moveDraft, resolveComment } from './drafts.js'
export { searchHub } from './hub.js'
export { seedDemoPractice } from './demo.js'

/** What a practice item belongs to, for the gate: its working group and the caller's role there. */
export async function practiceScope(
  ctx: Context,
  kind: 'group' | 'questionnaire' | 'finding' | 'draft',
  name: string,
): Promise<{ group: GroupRef; role: PracticeRole | null }> {
  const groupId =
    kind === 'group'
      ? (await getGroupRef(ctx.db, name)).id
      : kind === 'questionnaire'
        ? (await getQuestionnaireRow(ctx.db, name)).groupId
        : kind === 'finding'
          ? (await getFindingRow(ctx.db, name)).groupId
          : (await getDraftRow(ctx.db, name)).groupId
  const group = await getGroupRef(ctx.db, groupId)
  return { group, role: await roleIn(ctx, group.id) }
}

/** The community of the use case a review would change (the gate's `targetCommunity`). */
export async function useCaseCommunity(ctx: Context, useCase: string): Promise<string> {
  const found = await findRecord(ctx, 'useCase', useCase)
  if (!found) {
    throw new ContinuumError('USE_CASE_NOT_FOUND', `use case '${useCase}' not found`, { useCase })
  }
  return String(found.community)
}
