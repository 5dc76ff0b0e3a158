/**
 * Sites of a scenario taken from the shipped landscape (data/landscape): a site with
 * `landscape: gridka-site` gets that site's country and tier, its compute services' cores and
 * its storage services' disk and tape capacity; `landscapeLinks: true` adds the landscape's
 * network links between such sites. Figures the scenario states itself win.
 */
import { parse } from 'yaml'
import type { Scenario, ScenarioLink, ScenarioSite } from '../contract/index.js'
import { readYamlTree, shippedDataDir } from '../landscape/index.js'
import { ContinuumError } from '../platform/index.js'

interface LandscapeRecords {
  sites: Map<string, { country?: string; tier?: number }>
  cores: Map<string, number>
  disk: Map<string, number>
  tape: Map<string, number>
  links: Array<{ from: string; to: string; gbps: number; source: string }>
}

let cached: LandscapeRecords | undefined

function landscapeRecords(): LandscapeRecords {
  if (cached) return cached
  const out: LandscapeRecords = {
    sites: new Map(),
    cores: new Map(),
    disk: new Map(),
    tape: new Map(),
    links: [],
  }
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
  for (const file of readYamlTree(shippedDataDir)) {
    const doc = (parse(file.content) ?? {}) as Record<string, unknown>
    for (const s of (doc.sites ?? []) as Array<Record<string, unknown>>) {
      out.sites.set(String(s.name), {
        ...(typeof s.country === 'string' ? { country: s.country } : {}),
        ...(typeof s.tier === 'number' ? { tier: s.tier } : {}),
      })
    }
    for (const c of (doc.computeServices ?? []) as Array<Record<string, unknown>>) {
      if (typeof c.site === 'string' && typeof c.cores === 'number') add(out.cores, c.site, c.cores)
    }
    for (const st of (doc.storageServices ?? []) as Array<Record<string, unknown>>) {
      if (typeof st.site !== 'string' || typeof st.capacityTB !== 'number') continue
      add(st.media === 'tape' ? out.tape : out.disk, st.site, st.capacityTB)
    }
    for (const l of (doc.networkLinks ?? []) as Array<Record<string, unknown>>) {
      out.links.push({
        from: String(l.from),
        to: String(l.to),
        gbps: Number(l.bandwidthGbps),
        source: String(l.source),
      })
    }
  }
  cached = out
  return out
}

/** The scenario with its landscape sites filled in; SCENARIO_UNKNOWN_SITE for names not there. */
export function resolveLandscape(s: Scenario): Scenario {
  if (!s.sites.some((x) => x.landscape) && !s.landscapeLinks) return s
  const l = landscapeRecords()
  const unknown = s.sites.filter((x) => x.landscape && !l.sites.has(x.landscape))
  if (unknown.length > 0) {
    throw new ContinuumError(
      'SCENARIO_UNKNOWN_SITE',
      `the shipped landscape has no site ${unknown.map((u) => `'${u.landscape}'`).join(', ')}`,
      {
        errors: unknown.map((u) => ({
          field: `sites.${s.sites.indexOf(u)}.landscape`,
          message: `unknown landscape site '${u.landscape}'`,
        })),
      },
    )
  }
  const sites: ScenarioSite[] = s.sites.map((x) => {
    if (!x.landscape) return x
    const ref = l.sites.get(x.landscape)!
    const country = x.country ?? ref.country
    return {
      ...x,
      ...(country ? { country } : {}),
      diskTB: x.diskTB ?? l.disk.get(x.landscape) ?? 0,
      tapeTB: x.tapeTB ?? l.tape.get(x.landscape) ?? 0,
      cores: x.cores ?? l.cores.get(x.landscape) ?? 0,
      attributes: { ...(ref.tier !== undefined ? { tier: ref.tier } : {}), ...x.attributes },
      source: x.source ?? `data/landscape (site ${x.landscape})`,
    }
  })
  const links: ScenarioLink[] = [...(s.links ?? [])]
  if (s.landscapeLinks) {
    const byLandscape = new Map(sites.filter((x) => x.landscape).map((x) => [x.landscape!, x.name]))
    for (const link of l.links) {
      const from = byLandscape.get(link.from)
      const to = byLandscape.get(link.to)
      if (!from || !to) continue
      // Landscape links are symmetric paths (LHCOPN circuits): both directions, unless stated.
      for (const [a, b] of [
        [from, to],
        [to, from],
      ] as const) {
        if (!links.some((x) => x.from === a && x.to === b)) {
          links.push({ from: a, to: b, gbps: link.gbps, source: link.source })
        }
      }
    }
  }
  return { ...s, sites, links }
}
