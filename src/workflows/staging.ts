/**
 * Stage-in and stage-out. Plain files in the workflow's folder are checked in place
 * (LocalFileStaging); data identifiers `did:scope:name` need the data federation
 * (FederationStaging in federation-staging.ts), which moves inputs near the chosen site and
 * uploads and registers outputs with a rule.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'

export interface StageRequest {
  workflowId: string
  taskName: string
  /** The compute site chosen (candidate name). */
  site: string
  /** The catalogue site hosting it, when known: storage there counts as near. */
  siteName?: string | null
  /** Endpoints the site's binding names as near it (besides those at its catalogue site). */
  nearEndpoints?: readonly string[]
  workdir: string
  inputs: readonly string[]
  /** Who submitted the workflow (`issuer#subject`) and for which community: staging acts for them. */
  owner?: string | null
  community?: string | null
}

export interface StageOutRequest extends StageRequest {
  outputs: readonly string[]
  scope: string | null
  rule: string | null
}

/** Whether the inputs are where the task can read them; if not, what it waits for. */
export type StageState = { ready: true; note?: string } | { ready: false; reason: string }

/** Per data identifier: its bytes, and the catalogue sites and endpoints holding an available copy. */
export type InputLocations = Map<string, { bytes: number; sites: string[]; endpoints?: string[] }>

export interface Staging {
  /**
   * Makes the inputs available at the site; called again each round while it answers not
   * ready (the task waits in `staging`), so it must be idempotent. Throws when it never can be.
   */
  stageIn(request: StageRequest): Promise<StageState>
  /** Uploads and registers the outputs (with checksums) and places the rule on them. */
  stageOut(request: StageOutRequest): Promise<void>
  /**
   * URLs a remote site fetches the federation inputs from itself (an ARC CE stages them), a
   * copy near the site first, by the name the task reads each file under.
   */
  inputUrls?(request: StageRequest): Promise<Array<{ name: string; url: string }>>
  /** Where data-identifier inputs are, for the broker's data locality (read through `ctx`). */
  locate?(ctx: Context, dids: readonly string[]): Promise<InputLocations>
}

export function isDataIdentifier(ref: string): boolean {
  return ref.startsWith('did:')
}

/** Whether a task's inputs need the federation (stage-in then runs outside the dispatch transaction). */
export function needsFederation(inputs: readonly string[]): boolean {
  return inputs.some(isDataIdentifier)
}

/** Fails unless every plain-file input exists in the workflow's folder. */
export function checkLocalInputs(request: StageRequest): void {
  for (const input of request.inputs) {
    if (isDataIdentifier(input)) continue
    const file = path.resolve(request.workdir, input)
    if (!existsSync(file)) {
      throw new ContinuumError(
        'REFERENCE_NOT_FOUND',
        `input file ${input} does not exist in ${request.workdir}`,
        { input },
      )
    }
  }
}

/** Plain files in the workflow's folder; data identifiers need the data federation. */
export class LocalFileStaging implements Staging {
  async stageIn(request: StageRequest): Promise<StageState> {
    for (const input of request.inputs) {
      if (isDataIdentifier(input)) {
        throw new ContinuumError(
          'REFERENCE_NOT_FOUND',
          `input ${input}: data identifiers need the data federation, which is not configured`,
          { input },
        )
      }
    }
    checkLocalInputs(request)
    return { ready: true }
  }

  async stageOut(request: StageOutRequest): Promise<void> {
    for (const output of request.outputs) {
      if (isDataIdentifier(output)) continue
      const file = path.resolve(request.workdir, output)
      if (!existsSync(file)) {
        throw new ContinuumError(
          'REFERENCE_NOT_FOUND',
          `task ${request.taskName} did not write its output ${output}`,
          { output },
        )
      }
    }
  }
}
