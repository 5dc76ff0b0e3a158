/**
 * Stage-in and stage-out. The data federation provides the real implementation (inputs given as
 * `did:scope:name` transferred to storage near the site, outputs uploaded and registered with a
 * rule); until it lands, plain files in the workflow's folder are used in place.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { ContinuumError } from '../platform/index.js'

export interface StageRequest {
  workflowId: string
  taskName: string
  site: string
  workdir: string
  inputs: readonly string[]
}

export interface StageOutRequest extends StageRequest {
  outputs: readonly string[]
  scope: string | null
  rule: string | null
}

export interface Staging {
  /** Makes the inputs available at the site; resolves when they are (or throws, retryably). */
  stageIn(request: StageRequest): Promise<void>
  /** Registers the outputs (with checksums) and places the rule on them. */
  stageOut(request: StageOutRequest): Promise<void>
  /** The files of a dataset, for `scatter: { dataset }`; undefined when unknown. */
  listDataset?(did: string): string[] | undefined
}

export function isDataIdentifier(ref: string): boolean {
  return ref.startsWith('did:')
}

/** Plain files in the workflow's folder; data identifiers need the data federation. */
export class LocalFileStaging implements Staging {
  async stageIn(request: StageRequest): Promise<void> {
    for (const input of request.inputs) {
      if (isDataIdentifier(input)) {
        throw new ContinuumError(
          'REFERENCE_NOT_FOUND',
          `input ${input}: data identifiers need the data federation, which is not configured`,
          { input },
        )
      }
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
