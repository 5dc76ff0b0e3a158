/**
 * The requirement keys a profile can hold, which Technical Blueprint capability area each
 * belongs to, which SRIDA phase an action on it falls in, and how a need reads in a sentence.
 */
import type { RequirementProfile } from '../contract/index.js'

export const capabilityAreas = [
  'Compute resources',
  'Data resources',
  'Software distribution and execution',
  'Orchestration and workflows',
  'AI/ML and HPC applications',
  'Resource federation',
  'Monitoring and observability',
  'Security and trust',
] as const

export type Phase = 'foundation' | 'integration' | 'maturation'

/** requirement key → [capability area number (1–8), SRIDA phase of the action that closes it]. */
export const requirementAreas: Record<string, [number, Phase]> = {
  'compute.coreHoursPerYear': [1, 'integration'],
  'compute.peakCores': [1, 'integration'],
  'compute.memoryPerCoreGB': [1, 'integration'],
  'compute.walltimeHours': [1, 'integration'],
  'compute.batchSystems': [1, 'integration'],
  'compute.accelerators': [5, 'maturation'],
  'compute.interactiveShare': [5, 'maturation'],
  'data.storedPB': [2, 'integration'],
  'data.tapePB': [2, 'integration'],
  'data.growthPBPerYear': [2, 'integration'],
  'data.ingestGbps': [2, 'integration'],
  'data.egressGbps': [2, 'integration'],
  'data.protocols': [2, 'foundation'],
  'software.containers': [3, 'integration'],
  'software.cvmfsRepositories': [3, 'integration'],
  'workflow.unattendedLongRunning': [4, 'integration'],
  'access.allocationModel': [6, 'foundation'],
  'access.crossInfrastructure': [6, 'foundation'],
  'access.acceptableRoutes': [6, 'foundation'],
  'access.eligibility': [6, 'foundation'],
  'access.interactive': [5, 'maturation'],
  'access.aai': [8, 'foundation'],
  'access.tokens': [8, 'foundation'],
  'constraints.networkGbps': [2, 'integration'],
  'constraints.maxCarbonGPerKWh': [7, 'maturation'],
  'constraints.maxPue': [7, 'maturation'],
}

/** The requirement keys a profile actually states (absent or null fields are not required). */
export function statedRequirements(p: RequirementProfile): string[] {
  const out: string[] = []
  const c = p.compute ?? {}
  const d = p.data ?? {}
  const a = p.access ?? {}
  const k = p.constraints ?? {}
  if (c.coreHoursPerYear != null) out.push('compute.coreHoursPerYear')
  if (c.peakCores != null) out.push('compute.peakCores')
  if (c.memoryPerCoreGB != null) out.push('compute.memoryPerCoreGB')
  if (c.walltimeHours != null) out.push('compute.walltimeHours')
  if (c.batchSystems?.length) out.push('compute.batchSystems')
  if (c.acceleratorModels?.length || (c.acceleratorCount ?? 0) > 0) out.push('compute.accelerators')
  if ((c.interactiveShare ?? 0) > 0) out.push('compute.interactiveShare', 'access.interactive')
  if (d.storedPB != null) out.push('data.storedPB')
  if (d.storedPB != null && d.diskShare != null && d.diskShare < 1) out.push('data.tapePB')
  if ((d.growthPBPerYear ?? 0) > 0) out.push('data.growthPBPerYear')
  if ((d.ingestGbps ?? 0) > 0) out.push('data.ingestGbps')
  if ((d.egressGbps ?? 0) > 0) out.push('data.egressGbps')
  if (d.protocols?.length) out.push('data.protocols')
  if (p.software?.containers || p.software?.containerRuntimes?.length) {
    out.push('software.containers')
  }
  if (p.software?.cvmfsRepositories?.length) out.push('software.cvmfsRepositories')
  if (p.workflow?.unattendedLongRunning) out.push('workflow.unattendedLongRunning')
  if (a.allocationModel != null) out.push('access.allocationModel')
  if (a.crossInfrastructure) out.push('access.crossInfrastructure')
  if (a.acceptableRoutes?.length) out.push('access.acceptableRoutes')
  out.push('access.eligibility')
  if (a.aai?.length) out.push('access.aai')
  if (a.tokens) out.push('access.tokens')
  if (k.networkGbps != null) out.push('constraints.networkGbps')
  if (k.maxCarbonGPerKWh != null) out.push('constraints.maxCarbonGPerKWh')
  if (k.maxPue != null) out.push('constraints.maxPue')
  return out
}

/** Which kind of record answers a requirement. */
export function requirementKind(key: string): 'compute' | 'storage' | 'policy' {
  if (key.startsWith('access.') || key === 'workflow.unattendedLongRunning') return 'policy'
  if (key.startsWith('data.')) return 'storage'
  return 'compute'
}

/** D5.2's recommendations on access, each checked against every access policy. */
export const d52Recommendations = [
  'long-term and flexible (multi-year) allocations',
  'allocations that span infrastructures',
  'interactive computing as a first-class part of scheduling',
  'high-level user interfaces',
  'a common, federated AAI',
  'reliable unattended long-running workflows',
  'efficient, standard low-level interfaces',
  'feedback and planning loops with communities',
] as const
