/**
 * The software environments a site offers, which the broker checks a task's `environment` against
 * (never skipped: a site that offers nothing named refuses a task that names one). A site offers
 * what its binding declares, what the check of its executor found on it (a CVMFS repository
 * mounted on this machine), and — for batch sites, whose nodes the server cannot look at — what
 * the catalogue lists for its compute service. A local site is this machine, so the catalogue's
 * word is not enough there: only what was found or declared counts.
 *
 * Names and paths both count, and one environment answers to every catalogue name sharing its
 * reference: the catalogue lists ATLAS's repository per site (`cvmfs-atlas`, `cvmfs-atlas-nl-t1`
 * …, all `/cvmfs/atlas.cern.ch`), and a task asking for any of them runs where any is.
 */
import type { CatalogueView } from './catalogue-candidates.js'

export interface EnvironmentSources {
  executor: string
  declared: readonly string[]
  found: readonly string[]
  service: string | null
}

export function siteEnvironments(src: EnvironmentSources, view: CatalogueView | null): string[] {
  const named = new Set<string>([...src.declared, ...src.found])
  if (src.executor !== 'local' && src.service !== null) {
    for (const e of view?.environments.get(src.service) ?? []) named.add(e)
  }
  if (!view) return [...named].sort()
  const references = new Set<string>()
  for (const n of named) references.add(view.environmentRefs.get(n) ?? n)
  const out = new Set<string>([...named, ...references])
  for (const [name, ref] of view.environmentRefs) if (references.has(ref)) out.add(name)
  return [...out].sort()
}

/** Paths worth looking for on a local site: every catalogue environment given as a path. */
export function probePaths(view: CatalogueView, declared: readonly string[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const [name, ref] of view.environmentRefs) if (ref.startsWith('/')) out.set(name, ref)
  for (const d of declared) if (d.startsWith('/')) out.set(d, d)
  return out
}
