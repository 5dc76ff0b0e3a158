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
}

export interface CapabilityScopes {
  storage: StorageScope[]
  compute: ComputeCapability[]
}

/** Only major version 1 of the profile exists; a token of an unknown major is refused. */
export function isSupportedWlcgVersion(ver: unknown): boolean {
  if (ver === undefined) return true
  return typeof ver === 'string' && /^1\.\d+$/.test(ver)
}

/**
 * Splits the `scope` claim (space-separated) into capability scopes. Unknown scopes (openid,
 * offline_access, …) are not capabilities; malformed storage scopes (no path, relative path,
 * dot segments, encoded characters) are dropped rather than widened.
 */
export function parseCapabilityScopes(scope: unknown): CapabilityScopes {
  const out: CapabilityScopes = { storage: [], compute: [] }
  if (typeof scope !== 'string') return out
  for (const item of scope.split(' ')) {
    if ((computeCapabilities as readonly string[]).includes(item)) {
      out.compute.push(item as ComputeCapability)
      continue
    }
    const colon = item.indexOf(':')
    if (colon < 0) continue
    const capability = item.slice(0, colon)
    if (!(storageCapabilities as readonly string[]).includes(capability)) continue
    const path = normalisePath(item.slice(colon + 1))
    if (path !== undefined) out.storage.push({ capability: capability as StorageCapability, path })
  }
  return out
}

export function hasCapabilityScopes(scopes: CapabilityScopes): boolean {
  return scopes.storage.length > 0 || scopes.compute.length > 0
}

/**
 * A path in canonical form, or undefined when it cannot be trusted: it must be absolute and may
 * not contain `.`/`..` segments, percent-escapes, backslashes or control characters. Repeated
 * and trailing slashes collapse (`/atlas//x/` → `/atlas/x`), as the profile compares components.
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

/** The capabilities that grant a storage operation: modify implies create. */
const grantingStorage: Record<StorageCapability, readonly StorageCapability[]> = {
  'storage.read': ['storage.read'],
  'storage.create': ['storage.create', 'storage.modify'],
  'storage.modify': ['storage.modify'],
  'storage.stage': ['storage.stage'],
}

/** Does any storage scope grant `needed` on `rawPath`? An untrustworthy path is never granted. */
export function storageScopeGrants(
  scopes: readonly StorageScope[],
  needed: StorageCapability,
  rawPath: string,
): boolean {
  const path = normalisePath(rawPath)
  if (path === undefined) return false
  const granting = grantingStorage[needed]
  return scopes.some((s) => granting.includes(s.capability) && pathWithin(s.path, path))
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

/** The capability an action needs, by its verb: read/list → read, create → create, else modify. */
export function storageCapabilityForVerb(verb: string): StorageCapability {
  if (verb === 'read' || verb === 'list' || verb === 'download') return 'storage.read'
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
