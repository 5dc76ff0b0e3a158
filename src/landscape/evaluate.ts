/**
 * Scores one use case against one compute service, storage service or access policy: a
 * verdict (fit / partial / no) per stated requirement, each with one sentence a coordinator
 * can act on. Pure and allocation-light: the verdict-only path (no `reasons` array) is what
 * the benchmark counts.
 */
import type {
  ComputeService,
  Reason,
  RequirementProfile,
  StorageService,
  Verdict,
} from '../contract/index.js'

export const FIT = 0
export const PARTIAL = 1
export const NO = 2
export type Code = 0 | 1 | 2
export const verdictOf = (c: Code): Verdict =>
  c === FIT ? 'fit' : c === PARTIAL ? 'partial' : 'no'

/** Known accelerator generations, so that "A100 or better" accepts an H100. */
const acceleratorRank: Record<string, number> = {
  v100: 1,
  a100: 2,
  h100: 3,
  gh200: 4,
  h200: 4,
  mi100: 1,
  mi250x: 2,
  mi250: 2,
  mi300a: 3,
  mi300x: 3,
  'max 1550': 2,
}
function rankOf(model: string): [string, number] | undefined {
  const m = model.toLowerCase()
  for (const [key, rank] of Object.entries(acceleratorRank)) {
    if (m.includes(key)) {
      return [m.includes('mi') ? 'amd' : m.includes('max') ? 'intel' : 'nvidia', rank]
    }
  }
  return undefined
}
export function acceleratorAccepted(offered: string, wanted: readonly string[]): boolean {
  const o = offered.toLowerCase()
  const ro = rankOf(offered)
  return wanted.some((w) => {
    if (o.includes(w.toLowerCase())) return true
    const rw = rankOf(w)
    return ro !== undefined && rw !== undefined && ro[0] === rw[0] && ro[1] >= rw[1]
  })
}

export const fmt = (n: number) =>
  Number.isInteger(n) ? n.toLocaleString('en-GB') : Number(n.toPrecision(3)).toLocaleString('en-GB')
const HOURS_PER_YEAR = 8760

/** Per-compute-service facts the matcher needs, looked up once (CVMFS repositories offered). */
export interface ComputeFacts {
  cvmfs: Set<string>
}

/**
 * Per-storage-service facts: the wide-area bandwidth that reaches it — the fastest catalogued
 * network link of its site, else the external network capacity published for compute services
 * at that site; null when neither is known.
 */
export interface StorageFacts {
  wanGbps: number | null
}

export type Out = Reason[] | undefined
export function add(out: Out, requirement: string, code: Code, reason: () => string): Code {
  out?.push({ requirement, verdict: verdictOf(code), reason: reason() })
  return code
}

export function evaluateCompute(
  p: RequirementProfile,
  s: ComputeService,
  facts?: ComputeFacts,
  out?: Reason[],
): Code {
  let worst: Code = FIT
  const c = p.compute
  const bump = (code: Code) => {
    if (code > worst) worst = code
  }
  if (c) {
    if (c.coreHoursPerYear != null) {
      const has = s.cores * HOURS_PER_YEAR
      bump(
        add(
          out,
          'compute.coreHoursPerYear',
          has >= c.coreHoursPerYear ? FIT : has > 0 ? PARTIAL : NO,
          () =>
            `needs ${fmt(c.coreHoursPerYear!)} core-hours/year: ${s.cores > 0 ? `the whole system gives ${fmt(has)}` : 'has no CPU cores'}`,
        ),
      )
    }
    if (c.peakCores != null) {
      bump(
        add(
          out,
          'compute.peakCores',
          s.cores >= c.peakCores ? FIT : s.cores * 10 >= c.peakCores ? PARTIAL : NO,
          () => `needs ${fmt(c.peakCores!)} cores at once: has ${fmt(s.cores)}`,
        ),
      )
    }
    if (c.memoryPerCoreGB != null) {
      const m = s.memoryPerCoreGB
      bump(
        add(
          out,
          'compute.memoryPerCoreGB',
          m == null
            ? PARTIAL
            : m >= c.memoryPerCoreGB
              ? FIT
              : m >= 0.75 * c.memoryPerCoreGB
                ? PARTIAL
                : NO,
          () =>
            m == null
              ? `needs ${fmt(c.memoryPerCoreGB!)} GB/core: memory per core not published`
              : `needs ${fmt(c.memoryPerCoreGB!)} GB/core: has ${fmt(m)} GB/core`,
        ),
      )
    }
    if (c.walltimeHours != null) {
      // null: cloud VMs run until stopped; elsewhere the limit is simply not published.
      const w = s.maxWalltimeHours
      const code: Code =
        w == null ? (s.batchSystem === 'cloud' ? FIT : PARTIAL) : w >= c.walltimeHours ? FIT : NO
      bump(
        add(out, 'compute.walltimeHours', code, () =>
          w == null
            ? `walltime ${fmt(c.walltimeHours!)} h: ${s.batchSystem === 'cloud' ? 'no limit (cloud VMs)' : 'max walltime not published'}`
            : w >= c.walltimeHours!
              ? `walltime ${fmt(c.walltimeHours!)} h ≤ max ${fmt(w)} h`
              : `walltime ${fmt(c.walltimeHours!)} h > max ${fmt(w)} h`,
        ),
      )
    }
    if (c.batchSystems?.length) {
      bump(
        add(
          out,
          'compute.batchSystems',
          c.batchSystems.includes(s.batchSystem) ? FIT : NO,
          () => `workload management drives ${c.batchSystems!.join('/')}: runs ${s.batchSystem}`,
        ),
      )
    }
    if (c.acceleratorModels?.length || (c.acceleratorCount ?? 0) > 0) {
      const wanted = c.acceleratorModels ?? []
      let count = 0
      for (const a of s.accelerators) {
        if (wanted.length === 0 || acceleratorAccepted(a.model, wanted)) count += a.count
      }
      const need = c.acceleratorCount ?? 1
      const label = wanted.length ? `${wanted.join(' or ')} or better` : 'accelerators'
      bump(
        add(out, 'compute.accelerators', count >= need ? FIT : count > 0 ? PARTIAL : NO, () =>
          count === 0
            ? `needs ${label}: has none`
            : `needs ${fmt(need)} × ${label}: has ${fmt(count)}`,
        ),
      )
    }
    if ((c.interactiveShare ?? 0) > 0) {
      bump(
        add(
          out,
          'compute.interactiveShare',
          s.interactive ? FIT : c.interactiveShare! >= 0.2 ? NO : PARTIAL,
          () =>
            `${Math.round(c.interactiveShare! * 100)} % interactive work: ${s.interactive ? 'interactive sessions offered' : 'batch only'}`,
        ),
      )
    }
  }
  const sw = p.software
  if (sw && (sw.containers || sw.containerRuntimes?.length)) {
    const ok = sw.containerRuntimes?.length
      ? s.containerRuntimes.some((r) => sw.containerRuntimes!.includes(r))
      : s.containerRuntimes.length > 0
    bump(
      add(
        out,
        'software.containers',
        ok ? FIT : NO,
        () =>
          `needs containers${sw.containerRuntimes?.length ? ` (${sw.containerRuntimes.join('/')})` : ''}: ${s.containerRuntimes.length ? `offers ${s.containerRuntimes.join(', ')}` : 'no container runtime'}`,
      ),
    )
  }
  if (sw?.cvmfsRepositories?.length) {
    const have = sw.cvmfsRepositories.filter((r) => facts?.cvmfs.has(r)).length
    bump(
      add(
        out,
        'software.cvmfsRepositories',
        have === sw.cvmfsRepositories.length ? FIT : have > 0 ? PARTIAL : NO,
        () =>
          `needs ${sw.cvmfsRepositories!.join(', ')}: ${have === 0 ? 'none mounted' : `${have} of ${sw.cvmfsRepositories!.length} mounted`}`,
      ),
    )
  }
  const k = p.constraints
  if (k) {
    if (k.networkGbps != null) {
      const n = s.networkEgressGbps
      bump(
        add(
          out,
          'constraints.networkGbps',
          n == null ? PARTIAL : n >= k.networkGbps ? FIT : n * 2 >= k.networkGbps ? PARTIAL : NO,
          () =>
            n == null
              ? `needs ${fmt(k.networkGbps!)} Gb/s: network capacity not published`
              : `needs ${fmt(k.networkGbps!)} Gb/s: has ${fmt(n)} Gb/s`,
        ),
      )
    }
    if (k.maxCarbonGPerKWh != null) {
      const g = s.energy?.carbonGPerKWh
      bump(
        add(
          out,
          'constraints.maxCarbonGPerKWh',
          g == null ? PARTIAL : g <= k.maxCarbonGPerKWh ? FIT : NO,
          () =>
            g == null
              ? `carbon ≤ ${fmt(k.maxCarbonGPerKWh!)} g/kWh: not published`
              : `carbon ≤ ${fmt(k.maxCarbonGPerKWh!)} g/kWh: site grid ${fmt(g)} g/kWh`,
        ),
      )
    }
    if (k.maxPue != null) {
      const pue = s.energy?.pue
      bump(
        add(out, 'constraints.maxPue', pue == null ? PARTIAL : pue <= k.maxPue ? FIT : NO, () =>
          pue == null ? `PUE ≤ ${k.maxPue}: not published` : `PUE ≤ ${k.maxPue}: site PUE ${pue}`,
        ),
      )
    }
  }
  return worst
}

export function evaluateStorage(
  p: RequirementProfile,
  s: StorageService,
  facts?: StorageFacts,
  out?: Reason[],
): Code {
  let worst: Code = FIT
  const bump = (code: Code) => {
    if (code > worst) worst = code
  }
  const d = p.data
  if (!d) return worst
  const tape = s.media === 'tape'
  // The share of the data this medium holds: tape takes what is not on disk.
  const share = tape ? 1 - (d.diskShare ?? 1) : (d.diskShare ?? 1)
  const hasPB = s.capacityTB == null ? null : s.capacityTB / 1000
  const needPB = d.storedPB == null ? 0 : d.storedPB * share
  if (d.storedPB != null && needPB > 0) {
    const key = tape ? 'data.tapePB' : 'data.storedPB'
    bump(
      add(
        out,
        key,
        hasPB == null ? PARTIAL : hasPB >= needPB ? FIT : hasPB > 0 ? PARTIAL : NO,
        () =>
          hasPB == null
            ? `needs ${fmt(needPB)} PB on ${tape ? 'tape' : 'disk'}: capacity not published`
            : `needs ${fmt(needPB)} PB on ${tape ? 'tape' : 'disk'}: has ${fmt(hasPB)} PB`,
      ),
    )
  }
  if (d.growthPBPerYear != null && d.growthPBPerYear * share > 0) {
    const growth = d.growthPBPerYear * share
    const room = hasPB == null ? null : hasPB - needPB
    bump(
      add(
        out,
        'data.growthPBPerYear',
        // Like capacity today: a smaller service still contributes (partial), an empty one not.
        room == null ? PARTIAL : room >= growth ? FIT : hasPB! > 0 ? PARTIAL : NO,
        () =>
          room == null
            ? `grows ${fmt(growth)} PB/year on ${tape ? 'tape' : 'disk'}: capacity not published`
            : `grows ${fmt(growth)} PB/year on ${tape ? 'tape' : 'disk'}: ${room > 0 ? `${fmt(room)} PB left after today's data` : "no room left after today's data"}`,
      ),
    )
  }
  const wan = facts?.wanGbps ?? null
  for (const [key, need, verb] of [
    ['data.ingestGbps', d.ingestGbps, 'ingest'],
    ['data.egressGbps', d.egressGbps, 'egress'],
  ] as const) {
    if (need == null || need <= 0) continue
    bump(
      add(
        out,
        key,
        wan == null ? PARTIAL : wan >= need ? FIT : wan * 2 >= need ? PARTIAL : NO,
        () =>
          wan == null
            ? `${verb} ${fmt(need)} Gb/s: no network capacity catalogued for its site`
            : `${verb} ${fmt(need)} Gb/s: its site's wide-area network gives ${fmt(wan)} Gb/s`,
      ),
    )
  }
  if (d.protocols?.length) {
    const ok = s.protocols.some((x) => d.protocols!.includes(x))
    bump(
      add(
        out,
        'data.protocols',
        ok ? FIT : NO,
        () => `speaks ${d.protocols!.join('/')}: offers ${s.protocols.join(', ')}`,
      ),
    )
  }
  return worst
}

export function scoreOf(reasons: readonly Reason[]): number {
  if (reasons.length === 0) return 1
  let s = 0
  for (const r of reasons) s += r.verdict === 'fit' ? 1 : r.verdict === 'partial' ? 0.5 : 0
  return Math.round((s / reasons.length) * 1000) / 1000
}
