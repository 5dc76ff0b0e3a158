/** Helpers for workflow tests: a local compute site in a temp folder, and driving the engine. */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Workflow } from '../../src/contract/index.js'
import type { Context } from '../../src/db/index.js'
import { getWorkflow, putComputeSite, type WorkflowEngine } from '../../src/workflows/index.js'
import { uniqueName } from './factories.js'

export function tempDir(prefix = 'continuum-wf-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** A local site named uniquely, running in its own folder. */
export async function makeLocalSite(
  ctx: Context,
  overrides: { cores?: number; name?: string; attributes?: Record<string, string | number> } = {},
): Promise<{ name: string; root: string }> {
  const name = overrides.name ?? uniqueName('local')
  const root = tempDir('continuum-runs-')
  await putComputeSite(ctx, {
    name,
    executor: 'local',
    config: { root },
    cores: overrides.cores ?? 2,
    memoryPerCoreMb: 2048,
    attributes: overrides.attributes ?? {},
  })
  return { name, root }
}

const finalStates = new Set(['succeeded', 'failed', 'cancelled'])

/**
 * Runs engine rounds until the workflow ends. Child processes finish on their own time, so
 * between idle rounds this yields to the event loop briefly; the bound is a round count.
 */
export async function runUntilFinished(
  ctx: Context,
  engines: WorkflowEngine[],
  workflowId: string,
  maxRounds = 5000,
): Promise<Workflow> {
  for (let round = 0; round < maxRounds; round++) {
    let handled = 0
    for (const engine of engines) handled += await engine.runOnce()
    const wf = await getWorkflow(ctx, workflowId)
    if (finalStates.has(wf.state)) return wf
    if (handled === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`workflow ${workflowId} did not finish in ${maxRounds} rounds`)
}

/**
 * The lines tasks printed, from the run folder of every attempt under `runsRoot` (a site's
 * root). Tests count runs this way: a task's files go to its own attempt's folder, and a file
 * that every task appends to would only keep the last collected one.
 */
export function printedLines(runsRoot: string): string[] {
  const lines: string[] = []
  for (const entry of readdirSync(runsRoot, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue
    const stdout = path.join(runsRoot, entry.name, 'stdout')
    if (!existsSync(stdout)) continue
    lines.push(
      ...readFileSync(stdout, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    )
  }
  return lines
}
