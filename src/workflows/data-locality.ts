/**
 * The broker's data-locality figure from where the federation holds a task's inputs: bytes
 * already at storage on the candidate's catalogue site, and the time to move the rest over the
 * catalogue's network links (the best link from any site holding a copy).
 */
import type { ComputeCandidate, LocalityEstimate, LocalityEstimator } from './broker.js'
import type { InputLocations } from './staging.js'

export function localityFrom(locations: InputLocations): LocalityEstimator {
  const estimator: LocalityEstimator = (inputs, candidate) => estimate(locations, inputs, candidate)
  estimator.near = (inputs) => {
    const sites = new Set<string>()
    const endpoints = new Set<string>()
    for (const input of inputs) {
      const at = locations.get(input)
      for (const s of at?.sites ?? []) sites.add(s)
      for (const e of at?.endpoints ?? []) endpoints.add(e)
    }
    return { sites, endpoints }
  }
  return estimator
}

function estimate(
  locations: InputLocations,
  inputs: readonly string[],
  c: ComputeCandidate,
): LocalityEstimate {
  const here = c.siteName?.toLowerCase() ?? null
  const near = new Set(c.nearEndpoints ?? [])
  let nearBytes = 0
  let totalBytes = 0
  let transferS: number | null = 0
  for (const input of inputs) {
    const at = locations.get(input)
    if (!at) continue
    totalBytes += at.bytes
    if ((here !== null && at.sites.includes(here)) || at.endpoints?.some((e) => near.has(e))) {
      nearBytes += at.bytes
      continue
    }
    let best = 0
    for (const s of at.sites) best = Math.max(best, c.linksGbps?.get(s) ?? 0)
    for (const e of at.endpoints ?? []) best = Math.max(best, c.endpointLinksGbps?.get(e) ?? 0)
    if (best > 0 && transferS !== null) transferS += (at.bytes * 8) / (best * 1e9)
    else if (at.bytes > 0) transferS = null
  }
  return { nearBytes, totalBytes, transferS }
}
