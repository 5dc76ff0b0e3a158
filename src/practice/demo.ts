/**
 * The demo's community of practice: clearly synthetic people ("Member A (synthetic)"), one
 * working group with a charter and a meeting, a questionnaire with responses from several
 * synthetic respondents, an interview against findings and a draft under consultation with a
 * thread. Demo users `atlas-user` (coordinator) and `lofar-user` (reviewer) of the built-in
 * issuer hold roles in it, so the dashboard and the CLI can be tried at once.
 */
import { findRecord, listCommunities } from '../catalog/index.js'
import type { Context } from '../db/index.js'
import { actingAs } from '../db/index.js'
import type { Actor } from '../platform/index.js'
import { addComment, addDraft, moveDraft } from './drafts.js'
import { addGroup, addMeeting, addMember } from './groups.js'
import { addFinding, addInterview, setFindingStatus } from './interviews.js'
import { addQuestionnaire, submitResponse } from './questionnaires.js'

export const demoGroup = 'wg-requirements-demo'

const person = (principal: string, communities: string[]): Actor => ({
  principal,
  account: principal.split('#').at(-1)!,
  communities,
  sees: communities,
  kind: 'user',
})

/** Seeds once (skipped when the demo group exists); `issuer` is the built-in issuer's URL. */
export async function seedDemoPractice(ctx: Context, issuer: string): Promise<boolean> {
  if (await findRecord(ctx, 'workingGroup', demoGroup)) return false
  // The group belongs to the shipped SPECTRUM community; without the landscape there is none.
  const communities = (await listCommunities(ctx, { limit: 500 })).items.map((c) => c.name)
  if (!['spectrum', 'atlas', 'lofar', 'ska'].every((c) => communities.includes(c))) return false
  const as = (a: Actor): Context => actingAs(ctx, a)
  const coordinator = person(`${issuer}#atlas-user`, ['atlas'])
  const reviewer = person(`${issuer}#lofar-user`, ['lofar'])
  const c = as(coordinator)
  await addGroup(c, {
    name: demoGroup,
    title: 'Requirements and use cases (demo working group)',
    community: 'spectrum',
    charter:
      'Collect the computing and data requirements of HEP and RA use cases through a survey and interviews, validate them with the communities, and feed reviewed results into the use-case profiles. (Synthetic demo charter.)',
    displayName: 'Member A (synthetic)',
  })
  await addMember(c, demoGroup, {
    principal: reviewer.principal,
    displayName: 'Member B (synthetic)',
    community: 'lofar',
    role: 'reviewer',
  })
  const respondents = ['C', 'D', 'E', 'F'].map((letter, i) =>
    person(`synthetic:respondent-${letter.toLowerCase()}`, [i % 2 === 0 ? 'atlas' : 'ska']),
  )
  for (const [i, r] of respondents.entries()) {
    await addMember(c, demoGroup, {
      principal: r.principal,
      displayName: `Member ${'CDEF'[i]!} (synthetic)`,
      community: r.communities[0]!,
      role: 'member',
    })
  }
  await addMeeting(c, demoGroup, {
    title: 'Kick-off (demo)',
    heldOn: '2026-01-15',
    notes: 'Agreed the survey scope and the interview protocol. (Synthetic notes.)',
    decisions: ['Run the requirements survey until March', 'Interview one member per community'],
  })
  await addQuestionnaire(c, {
    name: 'requirements-survey-demo',
    title: 'Requirements survey (demo)',
    workingGroup: demoGroup,
    questions: [
      {
        id: 'walltime',
        text: 'How long does the longest single job run (hours)?',
        kind: 'number',
        unit: 'h',
        profilePath: 'compute.walltimeHours',
      },
      {
        id: 'unattended',
        text: 'Do workflows run unattended for weeks?',
        kind: 'boolean',
        profilePath: 'workflow.unattendedLongRunning',
      },
      {
        id: 'allocation',
        text: 'Which allocation model fits best?',
        kind: 'choice',
        choices: ['multi-year', 'per-call', 'opportunistic', 'pledged'],
        profilePath: 'access.allocationModel',
      },
      { id: 'remarks', text: 'Anything else?', kind: 'text' },
    ],
  })
  const answers = [
    { walltime: 48, unattended: true, allocation: 'multi-year' },
    { walltime: 72, unattended: true, allocation: 'multi-year' },
    { walltime: 24, unattended: false, allocation: 'pledged', remarks: 'Tape recall dominates.' },
    { walltime: 96, unattended: true, allocation: 'multi-year' },
  ]
  for (const [i, r] of respondents.entries()) {
    await submitResponse(as(r), 'requirements-survey-demo', { answers: answers[i]! })
  }
  await addFinding(c, {
    name: 'multi-year-allocations-demo',
    workingGroup: demoGroup,
    statement:
      'Communities need allocations that last several years, not one call. (Demo finding.)',
  })
  await addFinding(c, {
    name: 'interactive-share-demo',
    workingGroup: demoGroup,
    statement: 'A growing share of analysis is interactive. (Demo finding.)',
  })
  await addInterview(c, {
    workingGroup: demoGroup,
    interviewee: 'Member C (synthetic)',
    protocol: 'semi-structured, 45 min, agreed questions',
    heldOn: '2026-02-03',
    summary: 'Confirms the need for multi-year allocations; unsure about interactive work.',
    findings: [
      { finding: 'multi-year-allocations-demo', stance: 'supports' },
      { finding: 'interactive-share-demo', stance: 'neutral' },
    ],
  })
  await setFindingStatus(
    as(reviewer),
    'multi-year-allocations-demo',
    'validated',
    'Supported by the interview.',
  )
  await addDraft(c, {
    name: 'blueprint-chapter-demo',
    title: 'Blueprint chapter on access (demo draft)',
    workingGroup: demoGroup,
    body: 'Providers should offer multi-year allocations that span several infrastructures, reachable through one AAI. (Synthetic draft text.)',
  })
  await moveDraft(c, 'blueprint-chapter-demo', 'publish')
  const first = await addComment(as(respondents[1]!), 'blueprint-chapter-demo', {
    body: 'Please say which AAI: EGI Check-in, INDIGO IAM, or both?',
  })
  await addComment(c, 'blueprint-chapter-demo', { body: 'Both, federated.', parent: first.id })
  return true
}
