/**
 * Where a rule's copies go (pure): for each group of files, the `copies` endpoints that already
 * hold most of the group's bytes, so that the rule engine creates the fewest new replicas; ties
 * go to the higher weight attribute, then to more free space, then to the name (deterministic).
 */

export interface PlacementEndpoint {
  id: string
  name: string
  weight: number
  freeBytes: number
}

export interface PlacementFile {
  key: string
  bytes: number
  /** Endpoint ids holding a usable (available or arriving) replica of this file. */
  holders: ReadonlySet<string>
}

/** Returns the chosen endpoint ids for one group (always `copies` of them). */
export function chooseEndpoints(
  files: readonly PlacementFile[],
  candidates: readonly PlacementEndpoint[],
  copies: number,
): string[] {
  const held = new Map<string, number>()
  for (const f of files) addHeld(held, f)
  return chooseByHeld(held, candidates, copies)
}

/** Adds one file's bytes to what each of its holders holds (a group's running sum). */
export function addHeld(held: Map<string, number>, file: PlacementFile): void {
  for (const id of file.holders) held.set(id, (held.get(id) ?? 0) + Math.max(1, file.bytes))
}

/** chooseEndpoints from a group's running sum (files read page by page). */
export function chooseByHeld(
  held: ReadonlyMap<string, number>,
  candidates: readonly PlacementEndpoint[],
  copies: number,
): string[] {
  return [...candidates]
    .sort(
      (a, b) =>
        (held.get(b.id) ?? 0) - (held.get(a.id) ?? 0) ||
        b.weight - a.weight ||
        b.freeBytes - a.freeBytes ||
        a.name.localeCompare(b.name),
    )
    .slice(0, copies)
    .map((c) => c.id)
}

/** Splits a rule's files into placement groups by its grouping. */
export function groupFiles<F extends { key: string; dataset: string | null }>(
  files: readonly F[],
  grouping: 'all' | 'dataset' | 'none',
): F[][] {
  if (grouping === 'all') return files.length ? [[...files]] : []
  if (grouping === 'none') return files.map((f) => [f])
  const groups = new Map<string, F[]>()
  for (const f of files) {
    const k = f.dataset ?? `file:${f.key}`
    let g = groups.get(k)
    if (!g) groups.set(k, (g = []))
    g.push(f)
  }
  return [...groups.values()]
}
