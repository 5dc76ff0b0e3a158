/**
 * D5.3 (Landscape of RIs) checked against every infrastructure, as D5.2's recommendations are
 * checked against every access policy. SPECTRUM.md summarises what D5.3 surveyed — the technical
 * characteristics of 20 e-Infrastructures (services, capabilities, protocols, software, networks)
 * with gaps and recommendations — but not the recommendations' wording; each check below is
 * Continuum's reading of one characteristic, with the SPECTRUM.md statement it rests on, and
 * every result says why it passed or failed.
 */
import type { LandscapeCheck } from '../contract/index.js'
import { federatedAai } from './evaluate-policy.js'
import type { Landscape } from './match.js'

export const d53Note =
  "D5.3 checks are Continuum's reading of the characteristics D5.3 surveyed (SPECTRUM.md), not D5.3's own wording."

interface Check {
  recommendation: string
  basis: string
  test: (l: Landscape, infra: string) => { met: boolean; reason: string }
}

const list = (xs: string[], none: string) => (xs.length ? xs.join(', ') : none)

export const d53Checks: Check[] = [
  {
    recommendation: 'storage reachable over standard data-access protocols (XRootD, WebDAV, S3)',
    basis: 'D5.3: protocols of the landscape; Blueprint area 2',
    test: (l, i) => {
      const st = l.storage.filter((s) => s.infrastructure === i)
      if (st.length === 0) return { met: false, reason: 'no storage service catalogued' }
      const ok = st.filter((s) => s.protocols.some((p) => p !== 'posix'))
      return ok.length
        ? {
            met: true,
            reason: `${ok.map((s) => s.name).join(', ')}: ${[...new Set(ok.flatMap((s) => s.protocols))].join(', ')}`,
          }
        : { met: false, reason: 'POSIX only: no wide-area protocol' }
    },
  },
  {
    recommendation: 'portable software: containers or CVMFS at the compute services',
    basis: 'D5.3: software of the landscape; Blueprint area 3',
    test: (l, i) => {
      const cs = l.compute.filter((c) => c.infrastructure === i)
      if (cs.length === 0) return { met: false, reason: 'no compute service catalogued' }
      const runtimes = [...new Set(cs.flatMap((c) => c.containerRuntimes))]
      const cvmfs = cs.filter((c) => (l.facts.get(c.name)?.cvmfs.size ?? 0) > 0)
      return runtimes.length || cvmfs.length
        ? {
            met: true,
            reason: `${runtimes.length ? `runtimes ${runtimes.join(', ')}` : ''}${runtimes.length && cvmfs.length ? '; ' : ''}${cvmfs.length ? `CVMFS at ${cvmfs.map((c) => c.name).join(', ')}` : ''}`,
          }
        : { met: false, reason: 'no container runtime and no CVMFS repository published' }
    },
  },
  {
    recommendation: 'heterogeneous compute: accelerators offered',
    basis: 'D5.1 finding "massive, heterogeneous compute (GPUs, accelerators)"; Blueprint area 5',
    test: (l, i) => {
      const cs = l.compute.filter((c) => c.infrastructure === i)
      if (cs.length === 0) return { met: false, reason: 'no compute service catalogued' }
      const acc = cs.flatMap((c) => c.accelerators.map((a) => `${a.count}× ${a.model}`))
      return acc.length
        ? { met: true, reason: list(acc.slice(0, 3), '') + (acc.length > 3 ? ', …' : '') }
        : { met: false, reason: `CPU only (${cs.map((c) => c.name).join(', ')})` }
    },
  },
  {
    recommendation: 'federated identity: a federated AAI that issues tokens is accepted',
    basis: 'Blueprint area 8; D5.2 "a common AAI across providers"',
    test: (l, i) => {
      const ps = l.policies.filter((p) => p.infrastructure === i)
      if (ps.length === 0) return { met: false, reason: 'no access policy catalogued' }
      const fed = [...new Set(ps.flatMap((p) => p.acceptedAai).filter((a) => federatedAai.has(a)))]
      return fed.length
        ? { met: true, reason: `accepts ${fed.join(', ')}` }
        : {
            met: false,
            reason: `accepts ${list([...new Set(ps.flatMap((p) => p.acceptedAai))], 'nothing published')} only`,
          }
    },
  },
  {
    recommendation: 'wide-area network capacity published',
    basis:
      'D5.3: networks of the landscape; D5.1 "robust data federation (… transfer across sites)"',
    test: (l, i) => {
      const egress = l.compute
        .filter((c) => c.infrastructure === i && c.networkEgressGbps != null)
        .map((c) => c.networkEgressGbps!)
      const wan = l.storage
        .filter((s) => s.infrastructure === i)
        .map((s) => l.storageFacts.get(s.name)?.wanGbps ?? null)
        .filter((x): x is number => x != null)
      const best = Math.max(-1, ...egress, ...wan)
      return best >= 0
        ? { met: true, reason: `up to ${best} Gb/s` }
        : { met: false, reason: 'no link or external capacity published' }
    },
  },
  {
    recommendation: 'energy efficiency published (PUE or carbon intensity)',
    basis: 'D5.1 open challenge "energy efficiency"; Blueprint area 7',
    test: (l, i) => {
      const cs = l.compute.filter((c) => c.infrastructure === i)
      if (cs.length === 0) return { met: false, reason: 'no compute service catalogued' }
      const e = cs.find((c) => c.energy && (c.energy.pue != null || c.energy.carbonGPerKWh != null))
      return e?.energy
        ? {
            met: true,
            reason: `${e.name}: ${[e.energy.pue != null ? `PUE ${e.energy.pue}` : '', e.energy.carbonGPerKWh != null ? `${e.energy.carbonGPerKWh} gCO2e/kWh` : ''].filter(Boolean).join(', ')}`,
          }
        : { met: false, reason: 'neither PUE nor carbon intensity published' }
    },
  },
]

export function checkLandscape(l: Landscape): LandscapeCheck[] {
  return l.infrastructures.map((infra) => {
    const results = d53Checks.map((c) => ({
      recommendation: c.recommendation,
      basis: c.basis,
      ...c.test(l, infra.name),
    }))
    return { infrastructure: infra.name, results, met: results.filter((r) => r.met).length }
  })
}
