/**
 * Which replica a transfer reads from: an available replica on a readable endpoint that the
 * rule's source expression allows, other than the destination. The scheduler queues a request on
 * the link from that source; a retry moves it to another source's link when there is one.
 */
import type { Endpoint } from '../contract/index.js'
import type { Executor } from '../db/index.js'
import { listEndpointRows } from './endpoints-store.js'
import { selectEndpoints, toEndpoint } from './endpoints.js'
import { findReplicaRow, listReplicaRowsOf, type ReplicaRow } from './replicas-store.js'

type Key = { scope: string; name: string }

/** The source of a request whose source is not known yet (the planner looks when it runs). */
export const anySource = '00000000-0000-0000-0000-000000000000'

/** Endpoint ids a source expression allows (undefined: all). */
export function allowedSources(
  endpoints: readonly Endpoint[],
  expression: string | null,
): Set<string> | undefined {
  return expression === null
    ? undefined
    : new Set(selectEndpoints(endpoints, expression).map((e) => e.id))
}

/** What choosing a source reads of a replica (the simulator passes only this). */
type SourceReplica = Pick<ReplicaRow, 'state' | 'endpoint_id'>

/** Usable source replicas of one file, those in `avoid` last (a retry prefers another source). */
export function usableSources<R extends SourceReplica>(
  replicas: readonly R[],
  endpoints: ReadonlyMap<string, Endpoint>,
  allowed: Set<string> | undefined,
  destId: string,
  avoid: readonly (string | null)[] = [],
): R[] {
  return replicas
    .filter(
      (r) =>
        r.state === 'available' &&
        r.endpoint_id !== destId &&
        endpoints.get(r.endpoint_id)?.availableRead &&
        (!allowed || allowed.has(r.endpoint_id)),
    )
    .sort(
      (a, b) =>
        Number(avoid.includes(a.endpoint_id)) - Number(avoid.includes(b.endpoint_id)) ||
        a.endpoint_id.localeCompare(b.endpoint_id),
    )
}

/** The source endpoint id a new request for this file waits on (anySource when none is usable). */
export function chooseSource(
  replicas: readonly SourceReplica[],
  endpoints: ReadonlyMap<string, Endpoint>,
  allowed: Set<string> | undefined,
  destId: string,
  avoid: readonly (string | null)[] = [],
): string {
  return usableSources(replicas, endpoints, allowed, destId, avoid)[0]?.endpoint_id ?? anySource
}

/** chooseSource for one file, reading what it needs. */
export async function findSourceFor(
  db: Executor,
  file: Key,
  destId: string,
  sourceExpression: string | null,
  avoid: readonly (string | null)[] = [],
): Promise<string> {
  const endpoints = (await listEndpointRows(db)).map(toEndpoint)
  const byId = new Map(endpoints.map((e) => [e.id, e]))
  return chooseSource(
    await listReplicaRowsOf(db, [file]),
    byId,
    allowedSources(endpoints, sourceExpression),
    destId,
    avoid,
  )
}

/** Where a copy goes and where it may come from, as the transfer agent plans it. */
export interface CopyPlaces {
  destination: Endpoint
  /** The path of the destination's replica row; undefined when the row is gone. */
  destPath: string | undefined
  /** Usable source replicas, those in `avoid` last. */
  sources: Array<{ endpoint: Endpoint; path: string }>
}

/** The places of one copy: its destination and the usable sources the expression allows. */
export async function findCopyPlaces(
  db: Executor,
  copy: Key & { endpointId: string; sourceExpression: string | null },
  avoid: readonly (string | null)[] = [],
): Promise<CopyPlaces> {
  const list = (await listEndpointRows(db)).map(toEndpoint)
  const endpoints = new Map(list.map((e) => [e.id, e]))
  const replicas = usableSources(
    await listReplicaRowsOf(db, [copy]),
    endpoints,
    allowedSources(list, copy.sourceExpression),
    copy.endpointId,
    avoid,
  )
  return {
    destination: endpoints.get(copy.endpointId)!,
    destPath: (await findReplicaRow(db, copy, copy.endpointId))?.path,
    sources: replicas.map((r) => ({ endpoint: endpoints.get(r.endpoint_id)!, path: r.path })),
  }
}
