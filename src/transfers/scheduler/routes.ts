/**
 * Routes (pure): how a file gets from one of its replicas to the destination — directly when a
 * protocol pair exists between the two endpoints, otherwise through intermediate endpoints
 * (multi-hop, as Rucio and FTS do for tape or for sites without a common protocol).
 *
 * A direct pair from endpoint A to endpoint B exists when
 *   - the link A → B is not closed (an operator closes a link that has no network route), and
 *   - A has a read protocol and B a write protocol that this worker speaks, and
 *   - either both ends accept copies streamed through a worker, or the two protocols can copy
 *     third-party (XRootD ↔ XRootD, HTTP ↔ HTTP, S3 ↔ S3 on one service). An endpoint with the
 *     attribute `streaming=false` accepts third-party copies only (FTS sites that forbid
 *     streaming, tape buffers).
 * Intermediates are endpoints with the attribute `multihop=true` (Rucio's
 * `available_for_multihop`) that can be read and written. The route with the fewest hops wins;
 * ties go to the preferred source, then to intermediates by name, so a retry takes the same
 * route and overwrites what a killed attempt left on an intermediate.
 */
import type { Endpoint, Protocol } from '../../contract/index.js'
import { protocolsFor, replicaUrl } from '../../data/index.js'

export interface RoutePlace {
  endpoint: Endpoint
  path: string
}

export interface Hop {
  from: RoutePlace
  to: RoutePlace
  sourceUrl: string
  destUrl: string
  /** Third-party copy: 'only' when an end refuses streamed copies. */
  tpc: 'prefer' | 'only'
  /** The hop writes a temporary copy on an intermediate (deleted once the next hop is done). */
  temporary: boolean
}

export interface RouteInput {
  /** Source replicas, preferred first. */
  sources: RoutePlace[]
  destination: RoutePlace
  /** Every endpoint; those marked `multihop=true` may be intermediates. */
  endpoints: readonly Endpoint[]
  /** Closed links as `sourceId|destId`. */
  closed: ReadonlySet<string>
  /** Whether this worker speaks a URL's protocol. */
  supports: (url: string) => boolean
  /** Where a temporary copy lives on an intermediate (relative to its protocol base). */
  temporaryPath: string
  /** Most intermediates on a route (default 2). */
  maxIntermediates?: number
}

export type RouteResult = { hops: Hop[] } | { hops: null; reason: string }

/** A true-ish attribute: `true`, `"true"`, `"yes"`, `1`. */
function flag(endpoint: Endpoint, key: string): boolean | undefined {
  const v = endpoint.attributes[key]
  if (v === undefined) return undefined
  return v === true || v === 1 || (typeof v === 'string' && /^(true|yes|1)$/i.test(v))
}

const families: Record<string, string> = {
  root: 'xroot',
  roots: 'xroot',
  http: 'http',
  https: 'http',
  dav: 'http',
  davs: 'http',
  s3: 's3',
  's3+http': 's3',
  's3+https': 's3',
}

/** Whether two protocols can copy server to server (S3 only within one service). */
export function thirdPartyCompatible(a: Protocol, b: Protocol): boolean {
  const fa = families[a.scheme]
  if (fa === undefined || fa !== families[b.scheme]) return false
  return fa !== 's3' || new URL(a.url).host === new URL(b.url).host
}

/** The protocol pair a hop from `a` to `b` uses, or why there is none. */
export function protocolPair(
  from: RoutePlace,
  to: RoutePlace,
  supports: (url: string) => boolean,
): { sourceUrl: string; destUrl: string; tpc: Hop['tpc'] } | { reason: string } {
  const reads = protocolsFor(from.endpoint, 'read').filter((p) => supports(p.url))
  const writes = protocolsFor(to.endpoint, 'write').filter((p) => supports(p.url))
  if (reads.length === 0) {
    return { reason: `${from.endpoint.name} offers no read protocol this worker speaks` }
  }
  if (writes.length === 0) {
    return { reason: `${to.endpoint.name} offers no write protocol this worker speaks` }
  }
  const streaming =
    flag(from.endpoint, 'streaming') !== false && flag(to.endpoint, 'streaming') !== false
  for (const r of reads) {
    for (const w of writes) {
      if (streaming || thirdPartyCompatible(r, w)) {
        return {
          sourceUrl: replicaUrl(r.url, from.path),
          destUrl: replicaUrl(w.url, to.path),
          tpc: streaming ? 'prefer' : 'only',
        }
      }
    }
  }
  const refusing =
    flag(from.endpoint, 'streaming') === false ? from.endpoint.name : to.endpoint.name
  return {
    reason: `${refusing} accepts third-party copies only and ${from.endpoint.name} (${reads.map((p) => p.scheme).join(', ')}) and ${to.endpoint.name} (${writes.map((p) => p.scheme).join(', ')}) share no third-party protocol`,
  }
}

function edge(
  from: RoutePlace,
  to: RoutePlace,
  input: RouteInput,
  temporary: boolean,
): Hop | { reason: string } {
  if (input.closed.has(`${from.endpoint.id}|${to.endpoint.id}`)) {
    return { reason: `the link ${from.endpoint.name} → ${to.endpoint.name} is closed` }
  }
  const pair = protocolPair(from, to, input.supports)
  if ('reason' in pair) return pair
  return { from, to, ...pair, temporary }
}

/** The shortest route from a source replica to the destination (breadth first, bounded). */
export function findRoute(input: RouteInput): RouteResult {
  if (input.sources.length === 0) return { hops: null, reason: 'no available source replica' }
  const reasons: string[] = []
  for (const source of input.sources) {
    const direct = edge(source, input.destination, input, false)
    if ('reason' in direct) reasons.push(direct.reason)
    else return { hops: [direct] }
  }
  const taken = new Set([input.destination.endpoint.id, ...input.sources.map((s) => s.endpoint.id)])
  const intermediates = input.endpoints
    .filter(
      (e) =>
        flag(e, 'multihop') === true && e.availableRead && e.availableWrite && !taken.has(e.id),
    )
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((endpoint) => ({ endpoint, path: input.temporaryPath }))
  const why = `no direct route (${[...new Set(reasons)].join('; ')})`
  if (intermediates.length === 0) {
    return { hops: null, reason: `${why} and no endpoint is marked multihop=true` }
  }
  // Breadth first over partial routes; each level adds one intermediate not yet on the route.
  let frontier: Hop[][] = [[]]
  const max = input.maxIntermediates ?? 2
  for (let level = 1; level <= max; level++) {
    const next: Hop[][] = []
    for (const partial of frontier) {
      const at = partial.length === 0 ? undefined : partial[partial.length - 1]!.to
      const starts = at ? [at] : input.sources
      for (const from of starts) {
        for (const hop of intermediates) {
          if (partial.some((h) => h.to.endpoint.id === hop.endpoint.id)) continue
          const step = edge(from, hop, input, true)
          if ('reason' in step) continue
          const route = [...partial, step]
          const last = edge(hop, input.destination, input, false)
          if (!('reason' in last)) return { hops: [...route, last] }
          next.push(route)
        }
      }
    }
    frontier = next
  }
  return {
    hops: null,
    reason: `${why} and no route through the multihop endpoints (${intermediates.map((i) => i.endpoint.name).join(', ')}) within ${max} hops`,
  }
}
