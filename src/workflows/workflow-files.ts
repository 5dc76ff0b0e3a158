/**
 * A workflow's own folder is made by the server (`<workflows root>/<id>`), never chosen by the
 * client: the files a workflow needs from the submitter's machine travel with the submission
 * (`files`, base64), and its results are read back through the API. Paths are relative, plain
 * segments only; what is read back is a regular file inside the folder (no link followed), as
 * stage-out takes it.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { WorkflowFile, WorkflowFileContent, WorkflowFileList } from '../contract/index.js'
import type { Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { openOutputFile } from './stage-out-file.js'
import { getWorkflow } from './workflows.js'

/** Most bytes a submission's files may hold, decoded (the request body limit bounds it too). */
export const maxSubmittedBytes = 64 * 1024 * 1024
/** Most bytes one file read back through the API (larger results belong in the federation). */
export const maxReadBackBytes = 16 * 1024 * 1024
const maxListed = 10_000

const segment = /^[A-Za-z0-9_+@=,.-]+$/

/** A submitted file's path: relative, plain segments, no `.`/`..`, no NUL or control characters. */
export function assertFilePath(name: string): void {
  const parts = name.split('/')
  if (
    name.length === 0 ||
    name.length > 1024 ||
    parts.some((p) => p === '' || p === '.' || p === '..' || !segment.test(p))
  ) {
    throw new ContinuumError(
      'VALIDATION_FAILED',
      `file path '${name.replace(/[^\x20-\x7e]/g, '?')}' must be relative, of plain names joined by '/'`,
      { field: 'files', path: name },
    )
  }
}

/** Checks every file before anything is written, so a bad one writes nothing. */
export function decodeFiles(
  files: readonly WorkflowFile[],
): Array<{ path: string; bytes: Buffer }> {
  const seen = new Set<string>()
  let total = 0
  return files.map((f) => {
    assertFilePath(f.path)
    if (seen.has(f.path)) {
      throw new ContinuumError('VALIDATION_FAILED', `file ${f.path} is sent twice`, {
        field: 'files',
        path: f.path,
      })
    }
    seen.add(f.path)
    const bytes = Buffer.from(f.content, 'base64')
    total += bytes.length
    if (total > maxSubmittedBytes) {
      throw new ContinuumError(
        'VALIDATION_FAILED',
        `files add up to more than ${maxSubmittedBytes} bytes: put large inputs in the data federation (did:)`,
        { field: 'files' },
      )
    }
    return { path: f.path, bytes }
  })
}

/**
 * Writes the files into a new workflow folder. Readable by the job's account (the folder is
 * made its own when a task starts; files already in it stay the server's).
 */
export function writeFiles(folder: string, files: ReadonlyArray<{ path: string; bytes: Buffer }>) {
  for (const f of files) {
    const target = path.join(folder, f.path)
    for (let d = path.dirname(target); d.length > folder.length; d = path.dirname(d)) {
      mkdirSync(d, { recursive: true })
      chmodSync(d, 0o755)
    }
    writeFileSync(target, f.bytes, { flag: 'wx', mode: 0o644 })
    chmodSync(target, 0o644)
  }
}

/** The regular files of a workflow's folder (links and other kinds skipped), by path. */
export async function listWorkflowFiles(ctx: Context, id: string): Promise<WorkflowFileList> {
  const { workdir } = await getWorkflow(ctx, id)
  const files: WorkflowFileList['files'] = []
  const walk = (dir: string, prefix: string) => {
    let entries: string[]
    try {
      entries = readdirSync(dir).sort()
    } catch {
      return
    }
    for (const name of entries) {
      if (files.length >= maxListed) return
      const full = path.join(dir, name)
      const stat = lstatSync(full, { throwIfNoEntry: false })
      if (!stat || stat.isSymbolicLink()) continue
      const rel = prefix ? `${prefix}/${name}` : name
      if (stat.isDirectory()) walk(full, rel)
      else if (stat.isFile()) files.push({ path: rel, size: stat.size })
    }
  }
  walk(workdir, '')
  return { workflowId: id, files, truncated: files.length >= maxListed }
}

/** One file of a workflow's folder, base64 in JSON (at most maxReadBackBytes). */
export async function readWorkflowFile(
  ctx: Context,
  id: string,
  name: string,
): Promise<WorkflowFileContent> {
  assertFilePath(name)
  const { workdir } = await getWorkflow(ctx, id)
  const file = await openOutputFile(workdir, name, maxReadBackBytes)
  try {
    const bytes = await file.handle.readFile()
    return { path: name, size: bytes.length, content: bytes.toString('base64') }
  } finally {
    await file.handle.close()
  }
}
