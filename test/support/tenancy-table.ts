/**
 * The tenancy matrix's one table: for each operation of the API, what kind of item it touches
 * (which decides who may call it) and how to call it on A's, B's or the open-data item.
 * Classes:
 *   public     anyone, no token (health, discovery, the dashboard, the OAuth endpoints)
 *   open       any authenticated identity with a group token (the catalogue, the landscape);
 *              `compute: true` also capability tokens with compute.* (workflow lists)
 *   admin      only admins (writes to the shared landscape, endpoints, policies, audit)
 *   unchecked  admin-only writes whose body the table does not build: validation refuses the
 *              empty body before the gate (400), which the matrix checks; their gate decision
 *              is the same `admin` one, exercised with real bodies in catalog-services tests
 *   create     makes a community's item: members for their own community
 *   data       a namespace item (has a path): members, storage scopes, open data readable
 *   community  a community's item without a path (rules, transfers): members' group tokens
 *   compute    a community's workflow: members, compute scopes
 */
import { makeCommunity, makeInfrastructure } from './factories.js'
import { makeEndpoint } from './data-factories.js'

export type Target = 'A' | 'B' | 'open'

export interface RouteClass {
  kind: 'public' | 'open' | 'admin' | 'unchecked' | 'create' | 'data' | 'community' | 'compute'
  write?: boolean
  /** A capability token's compute.* scopes decide (workflows domain). */
  compute?: boolean
  /** A storage.* scope decides (the item has a namespace path). */
  storage?: boolean
}

export interface Fixtures {
  endpoint: string
  scopes: Record<Target, string>
  rules: Record<Target, string>
  transfers: Record<Target, string>
  workflows: Record<'A' | 'B', string>
}

export interface MatrixRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  url: string
  body?: unknown
}

export interface MatrixEntry {
  class: RouteClass
  targets?: readonly Target[]
  request: (fx: Fixtures, target: Target) => MatrixRequest
}

const anyId = '00000000-0000-7000-8000-00000000abcd'
const get = (url: string) => () => ({ method: 'GET' as const, url })
const open: RouteClass = { kind: 'open' }
const admin: RouteClass = { kind: 'admin', write: true }
const publicRoute: RouteClass = { kind: 'public' }
const unchecked: RouteClass = { kind: 'unchecked', write: true }
const dataRead: RouteClass = { kind: 'data', storage: true }
const dataWrite: RouteClass = { kind: 'data', write: true, storage: true }
const communityRead: RouteClass = { kind: 'community' }
const communityWrite: RouteClass = { kind: 'community', write: true }
const computeRead: RouteClass = { kind: 'compute', compute: true }
const computeWrite: RouteClass = { kind: 'compute', write: true, compute: true }
const both = ['A', 'B'] as const
const community = { A: 'atlas', B: 'lofar', open: 'cms' } as const

/** The shared landscape's record kinds: read by all, written by admins. */
function records(path: string, names: string): Record<string, MatrixEntry> {
  const [list, add, one, update, remove] = names.split(' ') as [
    string,
    string,
    string,
    string,
    string,
  ]
  return {
    [list]: { class: open, request: get(path) },
    [add]: { class: unchecked, request: () => ({ method: 'POST', url: path, body: {} }) },
    [one]: { class: open, request: get(`${path}/${anyId}`) },
    [update]: {
      class: unchecked,
      request: () => ({ method: 'PATCH', url: `${path}/${anyId}`, body: {} }),
    },
    [remove]: { class: admin, request: () => ({ method: 'DELETE', url: `${path}/${anyId}` }) },
  }
}

const did = (fx: Fixtures, t: Target, name = 'f') => `${fx.scopes[t]}/${name}`

export const matrixTable: Record<string, MatrixEntry> = {
  // Public: health, metrics, discovery, the dashboard, the built-in issuer's OAuth endpoints.
  getHealth: { class: publicRoute, request: get('/healthz') },
  getReadiness: { class: publicRoute, request: get('/readyz') },
  getMetrics: { class: publicRoute, request: get('/metrics') },
  getDashboard: { class: publicRoute, request: get('/') },
  getDashboardAsset: { class: publicRoute, request: get('/assets/none.js') },
  getOpenIdConfiguration: { class: publicRoute, request: get('/.well-known/openid-configuration') },
  getJwks: { class: publicRoute, request: get('/auth/jwks') },
  startDeviceAuthorization: {
    class: publicRoute,
    request: () => ({ method: 'POST', url: '/auth/device_authorization', body: {} }),
  },
  getToken: {
    class: publicRoute,
    request: () => ({ method: 'POST', url: '/auth/token', body: {} }),
  },
  deviceVerificationPage: { class: publicRoute, request: get('/auth/device') },
  approveDevice: {
    class: publicRoute,
    request: () => ({ method: 'POST', url: '/auth/device', body: {} }),
  },

  // The shared landscape: everyone reads, admins write.
  listInfrastructures: { class: open, request: get('/catalog/infrastructures') },
  addInfrastructure: {
    class: admin,
    request: () => ({
      method: 'POST',
      url: '/catalog/infrastructures',
      body: makeInfrastructure(),
    }),
  },
  getInfrastructure: { class: open, request: get(`/catalog/infrastructures/${anyId}`) },
  updateInfrastructure: {
    class: unchecked,
    request: () => ({ method: 'PATCH', url: `/catalog/infrastructures/${anyId}`, body: {} }),
  },
  deleteInfrastructure: {
    class: admin,
    request: () => ({ method: 'DELETE', url: `/catalog/infrastructures/${anyId}` }),
  },
  listCommunities: { class: open, request: get('/catalog/communities') },
  addCommunity: {
    class: admin,
    request: () => ({ method: 'POST', url: '/catalog/communities', body: makeCommunity() }),
  },
  getCommunity: { class: open, request: get(`/catalog/communities/${anyId}`) },
  updateCommunity: {
    class: unchecked,
    request: () => ({ method: 'PATCH', url: `/catalog/communities/${anyId}`, body: {} }),
  },
  deleteCommunity: {
    class: admin,
    request: () => ({ method: 'DELETE', url: `/catalog/communities/${anyId}` }),
  },
  ...records('/catalog/sites', 'listSites addSite getSite updateSite deleteSite'),
  ...records(
    '/catalog/compute-services',
    'listComputeServices addComputeService getComputeService updateComputeService deleteComputeService',
  ),
  ...records(
    '/catalog/storage-services',
    'listStorageServices addStorageService getStorageService updateStorageService deleteStorageService',
  ),
  ...records(
    '/catalog/software-environments',
    'listSoftwareEnvironments addSoftwareEnvironment getSoftwareEnvironment updateSoftwareEnvironment deleteSoftwareEnvironment',
  ),
  ...records(
    '/catalog/network-links',
    'listNetworkLinks addNetworkLink getNetworkLink updateNetworkLink deleteNetworkLink',
  ),
  ...records(
    '/catalog/access-policies',
    'listAccessPolicies addAccessPolicy getAccessPolicy updateAccessPolicy deleteAccessPolicy',
  ),
  ...records(
    '/catalog/allocations',
    'listAllocations addAllocation getAllocation updateAllocation deleteAllocation',
  ),
  ...records(
    '/catalog/working-groups',
    'listWorkingGroups addWorkingGroup getWorkingGroup updateWorkingGroup deleteWorkingGroup',
  ),
  ...records(
    '/catalog/community-members',
    'listCommunityMembers addCommunityMember getCommunityMember updateCommunityMember deleteCommunityMember',
  ),
  ...records(
    '/landscape/use-cases',
    'listUseCases addUseCase getUseCase updateUseCase deleteUseCase',
  ),
  ...records(
    '/landscape/documents',
    'listDocuments addDocument getDocument updateDocument deleteDocument',
  ),
  importCatalog: {
    class: unchecked,
    request: () => ({ method: 'POST', url: '/catalog/import', body: {} }),
  },
  validateCatalog: {
    class: unchecked,
    request: () => ({ method: 'POST', url: '/catalog/validate', body: {} }),
  },
  exportCatalog: { class: open, request: get('/catalog/export') },
  getSurvey: { class: open, request: get('/landscape/survey') },
  answerSurvey: {
    class: unchecked,
    request: () => ({ method: 'POST', url: `/landscape/use-cases/${anyId}/survey`, body: {} }),
  },
  searchDocuments: { class: open, request: get('/landscape/documents-search?q=grid') },
  matchUseCase: { class: open, request: get(`/landscape/match/${anyId}`) },
  landscapeGaps: { class: open, request: get('/landscape/gaps') },
  landscapeReportJson: { class: open, request: get('/landscape/report.json') },
  landscapeReportMarkdown: { class: open, request: get('/landscape/report.md') },
  landscapeReportHtml: { class: open, request: get('/landscape/report.html') },
  listScenarios: { class: open, request: get('/plan/scenarios') },
  simulateScenario: {
    class: open,
    request: () => ({
      method: 'POST',
      url: '/plan/simulations',
      body: {
        scenario:
          'name: tiny\ntitle: tiny\nsources: []\ndays: 0.1\nsites: [{name: a, diskTB: 1}]\ncommunities: [{name: c}]\n',
      },
    }),
  },

  // Identity, policies, audit.
  // Any token may ask who it is, capability tokens included.
  whoAmI: { class: { kind: 'open', compute: true }, request: get('/auth/me') },
  listRevocations: { class: admin, request: get('/auth/revocations') },
  addRevocation: {
    class: admin,
    request: () => ({
      method: 'POST',
      url: '/auth/revocations',
      body: { issuer: 'https://idp.example', subject: 'x', community: 'atlas' },
    }),
  },
  deleteRevocation: {
    class: admin,
    request: () => ({ method: 'DELETE', url: `/auth/revocations/${anyId}` }),
  },
  listPolicies: { class: admin, request: get('/policies') },
  addPolicy: {
    class: admin,
    request: () => ({
      method: 'POST',
      url: '/policies',
      body: { name: 'x', body: 'forbid (principal, action, resource);' },
    }),
  },
  syncAccessPolicies: {
    class: admin,
    request: () => ({ method: 'POST', url: '/policies/access-sync' }),
  },
  getPolicySchema: { class: admin, request: get('/policies/schema') },
  getPolicy: { class: admin, request: get('/policies/admins') },
  deletePolicy: { class: admin, request: () => ({ method: 'DELETE', url: '/policies/x' }) },
  testPolicy: {
    class: admin,
    request: () => ({
      method: 'POST',
      url: '/policies/test',
      body: {
        principal: { subject: 'x' },
        action: 'data.did.read',
        resource: { type: 'Collection', id: 'x' },
      },
    }),
  },
  listAudit: { class: admin, request: get('/audit') },

  // The data federation: scopes and identifiers belong to their scope's community.
  listScopes: { class: { kind: 'open' }, request: get('/data/scopes') },
  addScope: {
    class: { kind: 'create', write: true, storage: true },
    request: (_fx, t) => ({
      method: 'POST',
      url: '/data/scopes',
      body: { name: `n${community[t]}`, community: community[t] },
    }),
  },
  updateScope: {
    class: dataWrite,
    request: (fx, t) => ({
      method: 'PATCH',
      url: `/data/scopes/${fx.scopes[t]}`,
      body: { public: false },
    }),
  },
  listDids: {
    class: dataRead,
    request: (fx, t) => ({ method: 'GET', url: `/data/dids?scope=${fx.scopes[t]}` }),
  },
  addDid: {
    class: dataWrite,
    request: (fx, t) => ({
      method: 'POST',
      url: '/data/dids',
      body: { scope: fx.scopes[t], name: 'new', type: 'dataset' },
    }),
  },
  getDid: {
    class: dataRead,
    request: (fx, t) => ({ method: 'GET', url: `/data/dids/${did(fx, t)}` }),
  },
  updateDid: {
    class: dataWrite,
    request: (fx, t) => ({
      method: 'PATCH',
      url: `/data/dids/${did(fx, t)}`,
      body: { meta: { k: 1 } },
    }),
  },
  deleteDid: {
    class: dataWrite,
    request: (fx, t) => ({ method: 'DELETE', url: `/data/dids/${did(fx, t)}` }),
  },
  listContent: {
    class: dataRead,
    request: (fx, t) => ({ method: 'GET', url: `/data/dids/${did(fx, t, 'ds')}/content` }),
  },
  attachDids: {
    class: dataWrite,
    request: (fx, t) => ({
      method: 'POST',
      url: `/data/dids/${did(fx, t, 'ds')}/attach`,
      body: { children: [{ scope: fx.scopes[t], name: 'f' }] },
    }),
  },
  detachDids: {
    class: dataWrite,
    request: (fx, t) => ({
      method: 'POST',
      url: `/data/dids/${did(fx, t, 'ds')}/detach`,
      body: { children: [{ scope: fx.scopes[t], name: 'f' }] },
    }),
  },
  listReplicas: {
    class: dataRead,
    request: (fx, t) => ({ method: 'GET', url: `/data/dids/${did(fx, t)}/replicas` }),
  },
  uploadFile: {
    class: dataWrite,
    request: (fx, t) => ({
      method: 'PUT',
      url: `/data/files/${did(fx, t, 'up')}?to=${fx.endpoint}`,
    }),
  },
  downloadFile: {
    class: dataRead,
    request: (fx, t) => ({ method: 'GET', url: `/data/files/${did(fx, t)}` }),
  },
  declareBadReplica: {
    class: dataWrite,
    request: (fx, t) => ({
      method: 'POST',
      url: '/data/replicas/bad',
      body: { scope: fx.scopes[t], name: 'f', endpoint: fx.endpoint, reason: 'x' },
    }),
  },
  // Rules and transfers belong to their identifier's community; rule creation is a data write.
  addRule: {
    // The gate decides on the identifier; the account check runs in the handler (tenancy.test.ts).
    class: dataWrite,
    request: (fx, t) => ({
      method: 'POST',
      url: '/data/rules',
      body: { scope: fx.scopes[t], name: 'f', copies: 1, expression: fx.endpoint },
    }),
  },
  listRules: { class: { kind: 'open' }, request: get('/data/rules') },
  getRule: {
    class: communityRead,
    request: (fx, t) => ({ method: 'GET', url: `/data/rules/${fx.rules[t]}` }),
  },
  listRuleLocks: {
    class: communityRead,
    request: (fx, t) => ({ method: 'GET', url: `/data/rules/${fx.rules[t]}/locks` }),
  },
  deleteRule: {
    class: communityWrite,
    request: (fx, t) => ({ method: 'DELETE', url: `/data/rules/${fx.rules[t]}` }),
  },
  setQuota: {
    class: admin,
    request: (fx) => ({
      method: 'PUT',
      url: '/data/quotas',
      body: { owner: 'atlas', endpoint: fx.endpoint, bytes: 1 },
    }),
  },
  listQuotas: { class: { kind: 'open' }, request: get('/data/quotas') },
  listEndpoints: { class: { kind: 'open' }, request: get('/data/endpoints') },
  addEndpoint: {
    class: admin,
    request: () => ({ method: 'POST', url: '/data/endpoints', body: makeEndpoint() }),
  },
  getEndpoint: {
    class: { kind: 'open' },
    request: (fx) => ({ method: 'GET', url: `/data/endpoints/${fx.endpoint}` }),
  },
  updateEndpoint: {
    class: admin,
    request: (fx) => ({
      method: 'PATCH',
      url: `/data/endpoints/${fx.endpoint}`,
      body: { capacityBytes: 1e12 },
    }),
  },
  registerReplicas: {
    class: unchecked,
    request: (fx) => ({
      method: 'POST',
      url: '/data/replicas',
      body: { endpoint: fx.endpoint, replicas: [] },
    }),
  },
  listTransfers: { class: { kind: 'open' }, request: get('/transfers') },
  getTransferStats: { class: { kind: 'open' }, request: get('/transfers/stats') },
  setTransferLink: {
    class: admin,
    request: (fx) => ({
      method: 'PUT',
      url: '/transfers/links',
      body: { source: fx.endpoint, destination: fx.endpoint, maxActive: 2 },
    }),
  },
  listTransferShares: { class: { kind: 'open' }, request: get('/transfers/shares') },
  setTransferShare: {
    class: admin,
    request: () => ({
      method: 'PUT',
      url: '/transfers/shares',
      body: { kind: 'community', name: 'atlas', weight: 2 },
    }),
  },
  deleteTransferShare: {
    class: admin,
    request: () => ({ method: 'DELETE', url: '/transfers/shares/community/atlas' }),
  },
  getTransfer: {
    class: communityRead,
    request: (fx, t) => ({ method: 'GET', url: `/transfers/${fx.transfers[t]}` }),
  },

  // Workflows belong to their community.
  submitWorkflow: {
    class: { kind: 'create', write: true, compute: true },
    targets: both,
    request: (_fx, t) => ({
      method: 'POST',
      url: '/workflows',
      body: {
        source: `name: m\ncommunity: ${community[t]}\ntasks:\n  - name: t\n    command: [true]\n`,
        dryRun: true,
      },
    }),
  },
  listWorkflows: { class: { kind: 'open', compute: true }, request: get('/workflows') },
  getWorkflow: { class: computeRead, targets: both, request: (fx, t) => wf(fx, t, '') },
  cancelWorkflow: {
    class: computeWrite,
    targets: both,
    request: (fx, t) => wf(fx, t, '/cancel', 'POST'),
  },
  retryWorkflow: {
    class: computeWrite,
    targets: both,
    request: (fx, t) => ({ ...wf(fx, t, '/retry', 'POST'), body: {} }),
  },
  listWorkflowFiles: { class: computeRead, targets: both, request: (fx, t) => wf(fx, t, '/files') },
  getWorkflowFile: {
    class: computeRead,
    targets: both,
    request: (fx, t) => wf(fx, t, '/file?path=out.txt'),
  },
  getCwlOutput: { class: computeRead, targets: both, request: (fx, t) => wf(fx, t, '/cwl-output') },
  listTasks: { class: computeRead, targets: both, request: (fx, t) => wf(fx, t, '/tasks') },
  explainTask: { class: computeRead, targets: both, request: (fx, t) => wf(fx, t, '/tasks/t') },
  getTaskLogs: {
    class: computeRead,
    targets: both,
    request: (fx, t) => wf(fx, t, '/tasks/t/logs'),
  },
  getUsage: { class: { kind: 'open' }, request: get('/usage') },

  // Sites: everyone reads; binding, draining and removing are the operators' (and admins').
  listSites: { class: open, request: get('/sites') },
  getSite: { class: open, request: get('/sites/some-site') },
  addSite: {
    class: admin,
    request: () => ({
      method: 'POST',
      url: '/sites',
      body: { service: 'some-service', executor: 'local' },
    }),
  },
  drainSite: {
    class: admin,
    request: () => ({ method: 'POST', url: '/sites/some-site/drain', body: { drain: true } }),
  },
  deleteSite: { class: admin, request: () => ({ method: 'DELETE', url: '/sites/some-site' }) },
  listStorageBindings: { class: open, request: get('/storage-bindings') },
  planUseCase: {
    class: open,
    request: () => ({ method: 'POST', url: '/landscape/plan/some-use-case', body: {} }),
  },
  bindStorageService: {
    class: admin,
    request: (fx) => ({
      method: 'PUT',
      url: '/storage-bindings/some-storage',
      body: { endpoints: [fx.endpoint] },
    }),
  },
  exportUsageApel: { class: { kind: 'open' }, request: get('/usage/apel') },
  getAllocationUsage: { class: { kind: 'open' }, request: get('/usage/allocations') },

  // Communities of practice: everyone reads; writes depend on one's role in the working group
  // (practice-api.test.ts runs them with real bodies); the matrix checks that an empty body is
  // refused before anything else.
  listWorkingGroups: { class: open, request: get('/practice/groups') },
  getWorkingGroup: { class: open, request: get('/practice/groups/some-group') },
  listFindings: { class: open, request: get('/practice/findings') },
  getFinding: { class: open, request: get('/practice/findings/some-finding') },
  listInterviews: { class: open, request: get('/practice/interviews') },
  listDrafts: { class: open, request: get('/practice/drafts') },
  getDraft: { class: open, request: get('/practice/drafts/some-draft') },
  searchKnowledgeHub: { class: open, request: get('/practice/hub?q=grid') },
  listQuestionnaires: { class: open, request: get('/practice/questionnaires') },
  getQuestionnaire: { class: open, request: get('/practice/questionnaires/some-survey') },
  myResponses: { class: open, request: get('/practice/questionnaires/some-survey/responses/mine') },
  questionnaireResults: {
    class: open,
    request: get('/practice/questionnaires/some-survey/results'),
  },
  ...Object.fromEntries(
    (
      [
        ['addWorkingGroup', 'POST', '/practice/groups'],
        ['updateCharter', 'PUT', '/practice/groups/some-group/charter'],
        ['addGroupMember', 'POST', '/practice/groups/some-group/members'],
        ['updateGroupMember', 'PATCH', '/practice/groups/some-group/members'],
        ['removeGroupMember', 'DELETE', '/practice/groups/some-group/members'],
        ['addMeeting', 'POST', '/practice/groups/some-group/meetings'],
        ['updateMeeting', 'PATCH', `/practice/groups/some-group/meetings/${anyId}`],
        ['addFinding', 'POST', '/practice/findings'],
        ['setFindingStatus', 'PUT', '/practice/findings/some-finding/status'],
        ['addInterview', 'POST', '/practice/interviews'],
        ['addDraft', 'POST', '/practice/drafts'],
        ['setDraftStatus', 'PUT', '/practice/drafts/some-draft/status'],
        ['addComment', 'POST', '/practice/drafts/some-draft/comments'],
        ['resolveComment', 'POST', `/practice/drafts/some-draft/comments/${anyId}/resolution`],
        ['addQuestionnaire', 'POST', '/practice/questionnaires'],
        ['addQuestionnaireVersion', 'POST', '/practice/questionnaires/some-survey/versions'],
        ['submitResponse', 'POST', '/practice/questionnaires/some-survey/responses'],
        ['acceptResults', 'POST', '/practice/questionnaires/some-survey/reviews'],
      ] as const
    ).map(([op, method, url]) => [
      op,
      { class: unchecked, request: () => ({ method, url, body: {} }) } satisfies MatrixEntry,
    ]),
  ),
}

function wf(
  fx: Fixtures,
  t: Target,
  suffix: string,
  method: 'GET' | 'POST' = 'GET',
): MatrixRequest {
  return { method, url: `/workflows/${fx.workflows[t as 'A' | 'B']}${suffix}` }
}
