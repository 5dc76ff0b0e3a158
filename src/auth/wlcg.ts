/**
 * The WLCG common JWT profile (v1.0): version check, ordered groups, and capability scopes with
 * path-component matching. Pure functions; the gate and the policy engine build on them.
 */
import { ContinuumError } from '../platform/index.js'

/** Storage capabilities of the profile; `modify` includes `create` (profile §"Capability-based authorization"). */
export const storageCapabilities = [
  'storage.read',
  'storage.create',
  'storage.modify',
  'storage.stage',
] as const
export type StorageCapability = (typeof storageCapabilities)[number]

export const computeCapabilities = [
  'compute.read',
  'compute.create',
  'compute.modify',
  'compute.cancel',
] as const
export type ComputeCapability = (typeof computeCapabilities)[number]

export interface StorageScope {
  capability: StorageCapability
  /** Normalised absolute path; `/` grants the whole namespace. */
  path: string
  /**
   * The scope's path ended in `/` (`storage.read:/atlas/data/`): it grants what lies below that
   * folder and the folder's own metadata, not a file of that name.
   */
  directory: boolean
}

export interface CapabilityScopes {
  storage: StorageScope[]
  compute: ComputeCapability[]
}

/** A capability scope the profile says must make the whole token invalid. */
export class MalformedScopeError extends Error {}

/** Only major version 1 of the profile exists; a token of an unknown major is refused. */
export function isSupportedWlcgVersion(ver: unknown): boolean {
  if (ver === undefined) return true
  return typeof ver === 'string' && /^1\.\d+$/.test(ver)
}

/**
 * Splits the `scope` claim (space-separated) into capability scopes. Unknown scopes (openid,
 * offline_access, …) are not capabilities. A storage scope without a path, or whose path is
 * relative, has dot segments or encoded characters, makes the token invalid (the profile: "the
 * token MUST be rejected"): throws MalformedScopeError. Paths are relative to the issuer's base
 * path (profile §2.2.3: an issuer speaks for its part of the namespace only).
 */
export function parseCapabilityScopes(scope: unknown, basePath = '/'): CapabilityScopes {
  const out: CapabilityScopes = { storage: [], compute: [] }
  if (typeof scope !== 'string') return out
  for (const item of scope.split(' ')) {
    if ((computeCapabilities as readonly string[]).includes(item)) {
      out.compute.push(item as ComputeCapability)
      continue
    }
    const colon = item.indexOf(':')
    const capability = colon < 0 ? item : item.slice(0, colon)
    if (!(storageCapabilities as readonly string[]).includes(capability)) continue
    if (colon < 0) throw new MalformedScopeError(`scope '${item}' has no path`)
    const raw = item.slice(colon + 1)
    const path = normalisePath(raw)
    if (path === undefined) {
      throw new MalformedScopeError(`scope '${item.slice(0, 300)}' has an invalid path`)
    }
    out.storage.push({
      capability: capability as StorageCapability,
      path: underBase(basePath, path),
      directory: path !== '/' && raw.endsWith('/'),
    })
  }
  return out
}

function underBase(basePath: string, path: string): string {
  if (basePath === '/') return path
  return path === '/' ? basePath : `${basePath}${path}`
}

export function hasCapabilityScopes(scopes: CapabilityScopes): boolean {
  return scopes.storage.length > 0 || scopes.compute.length > 0
}

/** The scope strings of parsed scopes, as a token response or `whoami` shows them. */
export function formatCapabilityScopes(scopes: CapabilityScopes): string[] {
  return [
    ...scopes.storage.map((s) => `${s.capability}:${s.path}${s.directory ? '/' : ''}`),
    ...scopes.compute,
  ]
}

/**
 * A path in canonical form, or undefined when it cannot be trusted: it must be absolute and may
 * not contain `.`/`..` segments, percent-escapes, backslashes or control characters. Repeated
 * and trailing slashes collapse (`/atlas//x/` → `/atlas/x`); a scope keeps whether it had a
 * trailing slash separately (`StorageScope.directory`).
 */
export function normalisePath(raw: string): string | undefined {
  if (!raw.startsWith('/') || raw.length > 4096) return undefined

  if (/[%\\\u0000-\u001f\u007f]/.test(raw)) return undefined
  const parts = raw.split('/').filter((p) => p !== '')
  if (parts.some((p) => p === '.' || p === '..')) return undefined
  return `/${parts.join('/')}`
}

/** True when `path` is `scopePath` or below it, compared component by component. */
export function pathWithin(scopePath: string, path: string): boolean {
  if (scopePath === '/') return true
  return path === scopePath || path.startsWith(`${scopePath}/`)
}

/**
 * What a storage operation needs: the profile's capabilities, plus `storage.stat` for reading
 * metadata (stat, listings, replicas), which read, create, modify and stage all include.
 */
export type StorageNeed = StorageCapability | 'storage.stat'

/** The capabilities that grant an operation: modify ⊇ create; stage ⊇ read (profile). */
const grantingStorage: Record<StorageNeed, readonly StorageCapability[]> = {
  'storage.read': ['storage.read', 'storage.stage'],
  'storage.stat': ['storage.read', 'storage.create', 'storage.modify', 'storage.stage'],
  'storage.create': ['storage.create', 'storage.modify'],
  'storage.modify': ['storage.modify'],
  'storage.stage': ['storage.stage'],
}

/** Does any storage scope grant `needed` on `rawPath`? An untrustworthy path is never granted. */
export function storageScopeGrants(
  scopes: readonly StorageScope[],
  needed: StorageNeed,
  rawPath: string,
): boolean {
  const path = normalisePath(rawPath)
  if (path === undefined) return false
  const granting = grantingStorage[needed]
  return scopes.some((s) => granting.includes(s.capability) && scopeCovers(s, path, needed))
}

function scopeCovers(scope: StorageScope, path: string, needed: StorageNeed): boolean {
  if (!scope.directory) return pathWithin(scope.path, path)
  // A folder scope: what lies below it, and the folder's own metadata.
  return path.startsWith(`${scope.path}/`) || (path === scope.path && needed === 'storage.stat')
}

export function computeScopeGrants(
  scopes: readonly ComputeCapability[],
  needed: ComputeCapability,
): boolean {
  return scopes.includes(needed)
}

/**
 * `wlcg.groups` is an ordered list of group paths (`/atlas`, `/atlas/production`). Membership of
 * a sub-group does not imply the parent: each path is kept exactly as given, never expanded.
 */
export function parseGroups(claim: unknown): string[] {
  if (!Array.isArray(claim)) return []
  const out: string[] = []
  for (const g of claim) {
    if (typeof g !== 'string' || g.length > 256) continue
    const path = normalisePath(g)
    if (path !== undefined && path !== '/' && !out.includes(path)) out.push(path)
  }
  return out
}

/** The community a group belongs to by default: its first component (`/atlas/prod` → `atlas`). */
export function communityOfGroup(group: string): string | undefined {
  const first = group.split('/')[1]
  return first === undefined || first === '' ? undefined : first.toLowerCase()
}

/**
 * What an action needs, by its verb: reading or listing metadata → stat, downloading bytes →
 * read, create/upload → create, stage → stage, anything else → modify.
 */
export function storageCapabilityForVerb(verb: string): StorageNeed {
  if (verb === 'read' || verb === 'list') return 'storage.stat'
  if (verb === 'download') return 'storage.read'
  if (verb === 'create' || verb === 'upload') return 'storage.create'
  if (verb === 'stage') return 'storage.stage'
  return 'storage.modify'
}

export function computeCapabilityForVerb(verb: string): ComputeCapability {
  if (verb === 'read' || verb === 'list') return 'compute.read'
  if (verb === 'create' || verb === 'run' || verb === 'submit') return 'compute.create'
  if (verb === 'cancel' || verb === 'delete') return 'compute.cancel'
  return 'compute.modify'
}

/**
 * A configured group → community mapping, e.g. `/atlas=atlas,/escape/lofar=lofar`: the longest
 * configured group that the token's group equals or lies under (by component) decides; groups
 * matching no rule fall back to their first component.
 */
export function groupCommunityMapper(rules: string): (group: string) => string | undefined {
  const parsed: Array<{ group: string; community: string }> = []
  for (const rule of rules
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '')) {
    const eq = rule.indexOf('=')
    const group = normalisePath(rule.slice(0, eq))
    const community = rule
      .slice(eq + 1)
      .trim()
      .toLowerCase()
    if (eq < 1 || group === undefined || !/^[a-z0-9][a-z0-9._-]{0,62}$/.test(community)) {
      throw new ContinuumError(
        'CONFIG_INVALID',
        `group mapping '${rule}' is not '/group=community'`,
        { rule },
      )
    }
    parsed.push({ group, community })
  }
  parsed.sort((a, b) => b.group.length - a.group.length)
  return (group) =>
    parsed.find((r) => pathWithin(r.group, group))?.community ?? communityOfGroup(group)
}

/**
 * Issuers' base paths from configuration, `https://iam.example=/atlas,https://other=/lofar`:
 * each issuer's storage scopes are read relative to its path (profile §2.2.3).
 */
export function parseIssuerPaths(rules: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const rule of rules
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '')) {
    const eq = rule.lastIndexOf('=')
    const path = eq < 0 ? undefined : normalisePath(rule.slice(eq + 1).trim())
    if (eq < 1 || path === undefined) {
      throw new ContinuumError(
        'CONFIG_INVALID',
        `issuer path '${rule}' is not 'issuer-url=/path'`,
        {
          rule,
        },
      )
    }
    out.set(rule.slice(0, eq).trim().replace(/\/+$/, ''), path)
  }
  return out
}
