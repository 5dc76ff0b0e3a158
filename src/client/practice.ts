/** Client calls of communities of practice (see api/routes/practice*.ts). */
import type {
  Comment,
  CommentCreate,
  CommentResolve,
  Draft,
  DraftCreate,
  Finding,
  FindingCreate,
  FindingStatus,
  GroupCreate,
  GroupDetail,
  GroupSummary,
  HubHit,
  Interview,
  InterviewCreate,
  Meeting,
  MeetingCreate,
  MeetingUpdate,
  MemberAdd,
  MemberUpdate,
  Membership,
  PracticeResponse,
  Question,
  Questionnaire,
  QuestionnaireCreate,
  ResponseSubmit,
  Results,
  Review,
  ReviewCreate,
} from '../contract/index.js'
import type { HttpTransport } from './http.js'

const seg = encodeURIComponent
type Items<T> = { items: T[] }
type Page<T> = { items: T[]; next: string | null }

export interface QuestionnaireSummary {
  name: string
  title: string
  workingGroup: string
  latestVersion: number
  responses: number
}

export class PracticeClient {
  constructor(private readonly http: HttpTransport) {}

  async groups(): Promise<GroupSummary[]> {
    return (await this.http.request<Items<GroupSummary>>('GET', '/practice/groups')).items
  }
  group(name: string): Promise<GroupDetail> {
    return this.http.request('GET', `/practice/groups/${seg(name)}`)
  }
  addGroup(input: GroupCreate): Promise<GroupDetail> {
    return this.http.request('POST', '/practice/groups', { body: input })
  }
  updateCharter(group: string, charter: string): Promise<GroupDetail> {
    return this.http.request('PUT', `/practice/groups/${seg(group)}/charter`, { body: { charter } })
  }
  addMember(group: string, input: MemberAdd): Promise<Membership> {
    return this.http.request('POST', `/practice/groups/${seg(group)}/members`, { body: input })
  }
  updateMember(group: string, input: MemberUpdate): Promise<Membership> {
    return this.http.request('PATCH', `/practice/groups/${seg(group)}/members`, { body: input })
  }
  /** Removes a member; a member may remove themselves (leave the group). */
  async removeMember(group: string, principal: string): Promise<void> {
    await this.http.request('DELETE', `/practice/groups/${seg(group)}/members`, {
      query: { principal },
    })
  }
  addMeeting(group: string, input: MeetingCreate): Promise<Meeting> {
    return this.http.request('POST', `/practice/groups/${seg(group)}/meetings`, { body: input })
  }
  updateMeeting(group: string, id: string, input: MeetingUpdate): Promise<Meeting> {
    return this.http.request('PATCH', `/practice/groups/${seg(group)}/meetings/${seg(id)}`, {
      body: input,
    })
  }

  async questionnaires(): Promise<QuestionnaireSummary[]> {
    return (await this.http.request<Items<QuestionnaireSummary>>('GET', '/practice/questionnaires'))
      .items
  }
  questionnaire(name: string): Promise<Questionnaire> {
    return this.http.request('GET', `/practice/questionnaires/${seg(name)}`)
  }
  addQuestionnaire(input: QuestionnaireCreate): Promise<Questionnaire> {
    return this.http.request('POST', '/practice/questionnaires', { body: input })
  }
  addVersion(name: string, questions: Question[]): Promise<Questionnaire> {
    return this.http.request('POST', `/practice/questionnaires/${seg(name)}/versions`, {
      body: { questions },
    })
  }
  respond(name: string, input: ResponseSubmit): Promise<PracticeResponse> {
    return this.http.request('POST', `/practice/questionnaires/${seg(name)}/responses`, {
      body: input,
    })
  }
  async myResponses(name: string): Promise<PracticeResponse[]> {
    return (
      await this.http.request<Items<PracticeResponse>>(
        'GET',
        `/practice/questionnaires/${seg(name)}/responses/mine`,
      )
    ).items
  }
  results(name: string, query: { version?: number; community?: string } = {}): Promise<Results> {
    return this.http.request('GET', `/practice/questionnaires/${seg(name)}/results`, { query })
  }
  accept(name: string, input: ReviewCreate): Promise<Review> {
    return this.http.request('POST', `/practice/questionnaires/${seg(name)}/reviews`, {
      body: input,
    })
  }

  /** Every finding (of one group), following the pages. */
  findings(group?: string): Promise<Finding[]> {
    return this.all((cursor) => this.findingsPage({ group, cursor }))
  }
  findingsPage(
    q: { group?: string | undefined; limit?: number; cursor?: string | undefined } = {},
  ): Promise<Page<Finding>> {
    return this.http.request('GET', '/practice/findings', { query: q })
  }
  addFinding(input: FindingCreate): Promise<Finding> {
    return this.http.request('POST', '/practice/findings', { body: input })
  }
  setFindingStatus(name: string, status: FindingStatus, note?: string): Promise<Finding> {
    return this.http.request('PUT', `/practice/findings/${seg(name)}/status`, {
      body: note === undefined ? { status } : { status, note },
    })
  }
  /** Every interview (of one group), following the pages. */
  interviews(group?: string): Promise<Interview[]> {
    return this.all((cursor) => this.interviewsPage({ group, cursor }))
  }
  interviewsPage(
    q: { group?: string | undefined; limit?: number; cursor?: string | undefined } = {},
  ): Promise<Page<Interview>> {
    return this.http.request('GET', '/practice/interviews', { query: q })
  }
  addInterview(input: InterviewCreate): Promise<Interview> {
    return this.http.request('POST', '/practice/interviews', { body: input })
  }

  /** Every draft, following the pages. */
  drafts(): Promise<Draft[]> {
    return this.all((cursor) => this.draftsPage({ cursor }))
  }
  draftsPage(q: { limit?: number; cursor?: string | undefined } = {}): Promise<Page<Draft>> {
    return this.http.request('GET', '/practice/drafts', { query: q })
  }

  private async all<T>(page: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
    const out: T[] = []
    let cursor: string | undefined
    do {
      const p = await page(cursor)
      out.push(...p.items)
      cursor = p.next ?? undefined
    } while (cursor !== undefined)
    return out
  }
  draft(name: string): Promise<Draft> {
    return this.http.request('GET', `/practice/drafts/${seg(name)}`)
  }
  addDraft(input: DraftCreate): Promise<Draft> {
    return this.http.request('POST', '/practice/drafts', { body: input })
  }
  publishDraft(name: string): Promise<Draft> {
    return this.http.request('PUT', `/practice/drafts/${seg(name)}/status`, {
      body: { status: 'consultation' },
    })
  }
  closeDraft(name: string): Promise<Draft> {
    return this.http.request('PUT', `/practice/drafts/${seg(name)}/status`, {
      body: { status: 'closed' },
    })
  }
  comment(name: string, input: CommentCreate): Promise<Comment> {
    return this.http.request('POST', `/practice/drafts/${seg(name)}/comments`, { body: input })
  }
  resolveComment(name: string, id: string, input: CommentResolve): Promise<Comment> {
    return this.http.request(
      'POST',
      `/practice/drafts/${seg(name)}/comments/${seg(id)}/resolution`,
      { body: input },
    )
  }

  async search(q: string, limit?: number): Promise<HubHit[]> {
    return (await this.http.request<Items<HubHit>>('GET', '/practice/hub', { query: { q, limit } }))
      .items
  }
}
