/**
 * The Cedar schema: entity types of Continuum and one action per route action, built from the
 * actions the routes declare (`<domain>.<thing>.<verb>`). Each action also belongs to groups a
 * policy can name: `Action::"read"` / `Action::"write"` (by verb), `Action::"<domain>"`, and
 * `Action::"<domain>.read"` / `Action::"<domain>.write"`. Routes added later are in the schema
 * as soon as they are registered, without editing this file.
 */
import type { SchemaJson } from '@cedar-policy/cedar-wasm/nodejs'

/**
 * Verbs that only read: downloading a file's bytes and reading a task's logs are reads too, and
 * so is a what-if simulation (it runs the decisions on a virtual clock and writes nothing).
 */
export const readVerbs = new Set(['read', 'list', 'download', 'logs', 'export', 'simulate'])

export const resourceTypes = [
  'Collection',
  'DataIdentifier',
  'StorageEndpoint',
  'ComputeService',
  'ComputeSite',
  'StorageBinding',
  'Infrastructure',
  'Allocation',
  'Workflow',
  'Community',
  'Group',
  'Scope',
  'User',
  'Rule',
  'TransferRequest',
  'Account',
  'WorkingGroup',
] as const
export type ResourceType = (typeof resourceTypes)[number]

export interface ParsedAction {
  id: string
  domain: string
  verb: string
  kind: 'read' | 'write'
}

const actionShape = /^[a-z][a-z0-9_-]*(\.[a-z][a-zA-Z0-9_-]*)+$/

const parsedActions = new Map<string, Readonly<ParsedAction>>()

export function parseAction(id: string): Readonly<ParsedAction> {
  // Asked several times per request for one of a few hundred actions: parsed once each.
  let parsed = parsedActions.get(id)
  if (parsed === undefined) {
    if (!actionShape.test(id)) {
      throw new Error(`policy action '${id}' is not <domain>.<thing>.<verb>`)
    }
    const parts = id.split('.')
    const verb = parts.at(-1) as string
    parsed = Object.freeze({
      id,
      domain: parts[0] as string,
      verb,
      kind: readVerbs.has(verb) ? 'read' : 'write',
    } as const)
    if (parsedActions.size >= 10_000) parsedActions.clear()
    parsedActions.set(id, parsed)
  }
  return parsed
}

/**
 * Groups an action belongs to, most general first. A two-part action such as `usage.read` is
 * itself the group `<domain>.read`; it is never its own parent.
 */
export function actionGroups(action: ParsedAction): string[] {
  return [action.kind, action.domain, `${action.domain}.${action.kind}`].filter(
    (g) => g !== action.id,
  )
}

const optionalString = { type: 'String', required: false } as const
/** Attributes any resource may carry; a route's resource hook fills those it knows. */
const resourceAttributes = {
  name: optionalString,
  community: optionalString,
  scope: optionalString,
  path: optionalString,
  owner: optionalString,
  public: optionalString,
  capability: optionalString,
  infrastructure: optionalString,
  kind: optionalString,
  /** The caller's role in the working group the item belongs to (practice routes). */
  role: optionalString,
  /** The community whose record the action changes (a review into a use case's profile). */
  targetCommunity: optionalString,
  /** "true" when a membership route names the caller's own membership (leaving a group). */
  ownMembership: optionalString,
  /** "true" when the meeting a route changes was recorded by the caller. */
  recordedByCaller: optionalString,
}

export function buildCedarSchema(actionIds: Iterable<string>): SchemaJson<string> {
  const actions = [...new Set(actionIds)].sort().map(parseAction)
  const groups = new Set(actions.flatMap(actionGroups))
  const context = {
    type: 'Record',
    attributes: {
      capabilityToken: { type: 'Boolean' },
      scopeGrants: { type: 'Boolean' },
      scopeKind: { type: 'String', required: false },
      revokedCommunities: { type: 'Set', element: { type: 'String' }, required: false },
      interactive: { type: 'Boolean', required: false },
      unattended: { type: 'Boolean', required: false },
    },
  }
  const appliesTo = { principalTypes: ['User'], resourceTypes: [...resourceTypes], context }
  const actionDefs: Record<string, unknown> = {}
  for (const g of groups) actionDefs[g] = {}
  for (const a of actions) {
    actionDefs[a.id] = { appliesTo, memberOf: actionGroups(a).map((id) => ({ id })) }
  }
  const resourceShape = { type: 'Record', attributes: resourceAttributes }
  const entityTypes: Record<string, unknown> = {
    User: {
      memberOfTypes: ['Group', 'Community'],
      shape: {
        type: 'Record',
        attributes: {
          issuer: { type: 'String' },
          subject: { type: 'String' },
          groups: { type: 'Set', element: { type: 'String' } },
          communities: { type: 'Set', element: { type: 'String' } },
        },
      },
    },
    Group: { memberOfTypes: ['Community'] },
    Community: {},
    Scope: {},
  }
  for (const t of resourceTypes) entityTypes[t] ??= { shape: resourceShape }
  return { '': { entityTypes, actions: actionDefs } } as unknown as SchemaJson<string>
}
