/**
 * Client calls of the landscape records (sites, services, policies, allocations, groups,
 * members, use cases, documents), catalogue import/export, and the Plan face (survey, search,
 * match, gaps, reports). One `RecordsClient` per kind, all with the same five calls.
 */
import type {
  AccessPolicy,
  Allocation,
  CommunityMember,
  ComputeService,
  DocumentHit,
  GapReport,
  ReportDocument,
  ImportRequest,
  ImportResult,
  KnowledgeDocument,
  MatchResult,
  NetworkLink,
  Page,
  RecordListQuery,
  Site,
  SoftwareEnvironment,
  StorageService,
  SurveyQuestion,
  UseCase,
  WorkingGroup,
} from '../contract/index.js'
import type { HttpTransport, Loose } from './http.js'

const seg = encodeURIComponent

export class RecordsClient<T> {
  constructor(
    private readonly http: HttpTransport,
    private readonly base: string,
  ) {}

  list(query: Loose<RecordListQuery> = {}): Promise<Page<T>> {
    return this.http.request('GET', this.base, { query })
  }
  get(idOrName: string): Promise<T> {
    return this.http.request('GET', `${this.base}/${seg(idOrName)}`)
  }
  add(input: Record<string, unknown>): Promise<T> {
    return this.http.request('POST', this.base, { body: input })
  }
  update(idOrName: string, patch: Record<string, unknown>): Promise<T> {
    return this.http.request('PATCH', `${this.base}/${seg(idOrName)}`, { body: patch })
  }
  delete(idOrName: string): Promise<T> {
    return this.http.request('DELETE', `${this.base}/${seg(idOrName)}`)
  }
}

export class LandscapeClient {
  readonly sites: RecordsClient<Site>
  readonly computeServices: RecordsClient<ComputeService>
  readonly storageServices: RecordsClient<StorageService>
  readonly softwareEnvironments: RecordsClient<SoftwareEnvironment>
  readonly networkLinks: RecordsClient<NetworkLink>
  readonly accessPolicies: RecordsClient<AccessPolicy>
  readonly allocations: RecordsClient<Allocation>
  readonly workingGroups: RecordsClient<WorkingGroup>
  readonly members: RecordsClient<CommunityMember>
  readonly useCases: RecordsClient<UseCase>
  readonly documents: RecordsClient<KnowledgeDocument>

  constructor(private readonly http: HttpTransport) {
    this.sites = new RecordsClient(http, '/catalog/sites')
    this.computeServices = new RecordsClient(http, '/catalog/compute-services')
    this.storageServices = new RecordsClient(http, '/catalog/storage-services')
    this.softwareEnvironments = new RecordsClient(http, '/catalog/software-environments')
    this.networkLinks = new RecordsClient(http, '/catalog/network-links')
    this.accessPolicies = new RecordsClient(http, '/catalog/access-policies')
    this.allocations = new RecordsClient(http, '/catalog/allocations')
    this.workingGroups = new RecordsClient(http, '/catalog/working-groups')
    this.members = new RecordsClient(http, '/catalog/community-members')
    this.useCases = new RecordsClient(http, '/landscape/use-cases')
    this.documents = new RecordsClient(http, '/landscape/documents')
  }

  survey(): Promise<{ questions: SurveyQuestion[] }> {
    return this.http.request('GET', '/landscape/survey')
  }
  answerSurvey(useCase: string, answers: Record<string, unknown>): Promise<UseCase> {
    return this.http.request('POST', `/landscape/use-cases/${seg(useCase)}/survey`, {
      body: { answers },
    })
  }
  searchDocuments(q: string, limit?: number): Promise<{ items: DocumentHit[] }> {
    return this.http.request('GET', '/landscape/documents-search', { query: { q, limit } })
  }
  match(useCase: string): Promise<MatchResult> {
    return this.http.request('GET', `/landscape/match/${seg(useCase)}`)
  }
  gaps(): Promise<GapReport> {
    return this.http.request('GET', '/landscape/gaps')
  }
  reportJson(document?: ReportDocument): Promise<Record<string, unknown>> {
    return this.http.request(
      'GET',
      `/landscape/report.json${document ? `?document=${document}` : ''}`,
    )
  }
  report(format: 'markdown' | 'html', document?: ReportDocument): Promise<string> {
    return this.http.request(
      'GET',
      `/landscape/report.${format === 'markdown' ? 'md' : 'html'}${document ? `?document=${document}` : ''}`,
    )
  }
  importCatalog(request: ImportRequest): Promise<ImportResult> {
    return this.http.request('POST', '/catalog/import', { body: request })
  }
  validateCatalog(request: ImportRequest): Promise<ImportResult> {
    return this.http.request('POST', '/catalog/validate', { body: request })
  }
  exportCatalog(): Promise<{ content: string }> {
    return this.http.request('GET', '/catalog/export')
  }
}
