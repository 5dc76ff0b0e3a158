/**
 * The SRIDA's shape: 4 pillars, 13 strategic priorities, 3 phases (SPECTRUM.md). SPECTRUM.md
 * gives the counts and the phases' content but not the pillars' and priorities' names, so the
 * names below are Continuum's working labels, each resting on a sentence of SPECTRUM.md (`basis`)
 * — marked as such wherever they are shown, and to be replaced by the SRIDA's own wording.
 * Every requirement key maps to exactly one priority, so every recommended action lands in one.
 */
import type { Phase } from './requirements.js'

export interface Pillar {
  id: string
  title: string
}
export interface Priority {
  id: string
  pillar: string
  title: string
  /** What in SPECTRUM.md the priority rests on. */
  basis: string
  /** Requirement keys whose actions serve it. */
  requirements: string[]
}

export const sridaLabelsNote =
  "Pillar and priority names are Continuum's working labels: SPECTRUM.md states the SRIDA's structure (4 pillars, 13 strategic priorities, 3 phases) but not their wording."

export const phases: Array<{ id: Phase; title: string; horizon: string; content: string }> = [
  {
    id: 'foundation',
    title: 'Foundation',
    horizon: '1–3 years',
    content: 'governance, federated identity, standard interfaces',
  },
  {
    id: 'integration',
    title: 'Integration',
    horizon: '3–5 years',
    content:
      'heterogeneous compute at scale, federated data management, workflow orchestration across HPC, HTC, cloud and edge',
  },
  {
    id: 'maturation',
    title: 'Maturation',
    horizon: '5+ years',
    content: 'AI/ML in production, end-to-end reproducibility',
  },
]

export const pillars: Pillar[] = [
  { id: 'P1', title: 'Technical enablement: compute and data at Exascale' },
  { id: 'P2', title: 'Federation and trust' },
  { id: 'P3', title: 'Scientific operations' },
  { id: 'P4', title: 'Strategic governance and sustainability' },
]

export const priorities: Priority[] = [
  {
    id: 'P1.1',
    pillar: 'P1',
    title: 'Heterogeneous compute at scale',
    basis: 'SRIDA integration phase; D5.1 finding "massive, heterogeneous compute"',
    requirements: [
      'compute.coreHoursPerYear',
      'compute.peakCores',
      'compute.memoryPerCoreGB',
      'compute.walltimeHours',
    ],
  },
  {
    id: 'P1.2',
    pillar: 'P1',
    title: 'Accelerators and AI/ML in production',
    basis: 'SRIDA maturation phase "AI/ML in production"; Blueprint area 5',
    requirements: ['compute.accelerators'],
  },
  {
    id: 'P1.3',
    pillar: 'P1',
    title: 'Federated data management at Exabyte scale',
    basis: 'SRIDA integration phase "federated data management"; instruments beyond 1 EB a year',
    requirements: ['data.storedPB', 'data.tapePB', 'data.growthPBPerYear'],
  },
  {
    id: 'P1.4',
    pillar: 'P1',
    title: 'Standard interfaces to compute and storage',
    basis:
      'SRIDA foundation phase "standard interfaces"; D5.2 "efficient, standard low-level interfaces"',
    requirements: ['data.protocols', 'compute.batchSystems'],
  },
  {
    id: 'P2.1',
    pillar: 'P2',
    title: 'Federated identity and tokens',
    basis: 'SRIDA foundation phase "federated identity"; D5.2 "a common AAI"',
    requirements: ['access.aai', 'access.tokens'],
  },
  {
    id: 'P2.2',
    pillar: 'P2',
    title: 'Allocations across infrastructures',
    basis: 'D5.2 "allocations and quotas that span … several" infrastructures; Blueprint area 6',
    requirements: ['access.crossInfrastructure', 'access.allocationModel'],
  },
  {
    id: 'P2.3',
    pillar: 'P2',
    title: 'Networks for data movement',
    basis: 'D5.1 finding "robust data federation (… transfer across sites)"; SRCNet ~20 Gb/s',
    requirements: ['data.ingestGbps', 'data.egressGbps', 'constraints.networkGbps'],
  },
  {
    id: 'P3.1',
    pillar: 'P3',
    title: 'Workflow orchestration across HPC, HTC, cloud and edge',
    basis:
      'SRIDA integration phase; D5.2 "reliable, unattended execution of long-running workflows"',
    requirements: ['workflow.unattendedLongRunning'],
  },
  {
    id: 'P3.2',
    pillar: 'P3',
    title: 'Software distribution and end-to-end reproducibility',
    basis: 'SRIDA maturation phase "end-to-end reproducibility"; Blueprint area 3',
    requirements: ['software.containers', 'software.cvmfsRepositories'],
  },
  {
    id: 'P3.3',
    pillar: 'P3',
    title: 'Interactive computing and high-level interfaces',
    basis:
      'D5.2 "interactive computing as a first-class part of scheduling"; "high-level user interfaces"',
    requirements: ['compute.interactiveShare', 'access.interactive'],
  },
  {
    id: 'P4.1',
    pillar: 'P4',
    title: 'Governance of access: eligibility and routes',
    basis: 'SRIDA foundation phase "governance"; D5.2 access policies of 20 e-Infrastructures',
    requirements: ['access.eligibility', 'access.acceptableRoutes'],
  },
  {
    id: 'P4.2',
    pillar: 'P4',
    title: 'Energy efficiency and environmental sustainability',
    basis: 'D5.1 open challenge "energy efficiency"; Blueprint area 7 (measured, first-class)',
    requirements: ['constraints.maxCarbonGPerKWh', 'constraints.maxPue'],
  },
  {
    id: 'P4.3',
    pillar: 'P4',
    title: 'Planning loops between communities and providers',
    basis: 'D5.2 "feedback and planning loops between communities and providers"',
    // No requirement key: served by D5.2's 8th check and the projected-needs comparison.
    requirements: [],
  },
]

const byKey = new Map(priorities.flatMap((p) => p.requirements.map((k) => [k, p] as const)))

/** The priority (and its pillar) an action on requirement `key` serves. */
export function priorityOf(key: string): { pillar: Pillar; priority: Priority } {
  const priority = byKey.get(key) ?? priorities.find((p) => p.id === 'P1.1')!
  return { priority, pillar: pillars.find((p) => p.id === priority.pillar)! }
}
