/**
 * The CLI side of a workflow's folder: the server makes it, so `workflow run FILE` sends the
 * local files the workflow reads (its tasks' plain inputs that no task of it writes, found
 * next to FILE) and, once the workflow ends, writes the files its tasks declared as plain
 * outputs back next to FILE — as running it in that folder would have left them.
 */
import { lstatSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import type { ContinuumClient } from '../client/index.js'
import type { WorkflowFile } from '../contract/index.js'
import { ContinuumError } from '../platform/browser.js'

interface Declared {
  inputs: string[]
  outputs: RegExp[]
}

/** Plain (non-`did:`) inputs and outputs the YAML declares; `${{ … }}` matches any name part. */
function declared(source: string): Declared {
  let doc: unknown
  try {
    doc = parse(source, { maxAliasCount: 100 })
  } catch {
    // The server reports a YAML error with its line; nothing to send.
    return { inputs: [], outputs: [] }
  }
  const tasks = (doc as { tasks?: unknown })?.tasks
  const plain = (list: unknown): string[] =>
    Array.isArray(list)
      ? list.filter((x): x is string => typeof x === 'string' && !x.startsWith('did:'))
      : []
  const inputs: string[] = []
  const outputs: RegExp[] = []
  for (const t of Array.isArray(tasks) ? (tasks as Array<Record<string, unknown>>) : []) {
    inputs.push(...plain(t?.inputs))
    for (const o of plain(t?.outputs)) {
      const pattern = o
        .split(/\$\{\{[^}]*\}\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')
      outputs.push(new RegExp(`^${pattern}$`))
    }
  }
  return { inputs, outputs }
}

/** The local files to send with the submission. */
export function filesToSend(source: string, folder: string): WorkflowFile[] {
  const { inputs, outputs } = declared(source)
  const out: WorkflowFile[] = []
  const seen = new Set<string>()
  for (const input of inputs) {
    // Templated names are files of the run itself; produced ones are the workflow's own.
    if (input.includes('${{') || outputs.some((o) => o.test(input)) || seen.has(input)) continue
    seen.add(input)
    const full = path.resolve(folder, input)
    if (!full.startsWith(`${path.resolve(folder)}${path.sep}`)) {
      throw new ContinuumError('INVALID_ARGUMENT', `input ${input} is outside ${folder}`, { input })
    }
    const stat = lstatSync(full, { throwIfNoEntry: false })
    if (!stat) {
      throw new ContinuumError(
        'INVALID_ARGUMENT',
        `input ${input} is neither next to the workflow file nor written by one of its tasks`,
        { input },
      )
    }
    if (!stat.isFile()) {
      throw new ContinuumError('INVALID_ARGUMENT', `input ${input} is not a regular file`, {
        input,
      })
    }
    out.push({ path: path.relative(folder, full), content: readFileSync(full).toString('base64') })
  }
  return out
}

/** Writes the named files of the workflow's folder into `folder`; returns their names. */
export async function fetchFiles(
  client: ContinuumClient,
  id: string,
  names: readonly string[],
  folder: string,
): Promise<string[]> {
  const written: string[] = []
  for (const name of names) {
    const file = await client.workflows.file(id, name)
    const target = path.resolve(folder, file.path)
    // The server checks the name; a path that would leave `folder` here is refused all the same.
    if (!target.startsWith(`${path.resolve(folder)}${path.sep}`)) {
      throw new ContinuumError('INVALID_ARGUMENT', `${name} would be written outside ${folder}`, {
        path: name,
      })
    }
    mkdirSync(path.dirname(target), { recursive: true })
    const temporary = `${target}.${process.pid}.part`
    writeFileSync(temporary, Buffer.from(file.content, 'base64'))
    renameSync(temporary, target)
    written.push(file.path)
  }
  return written
}

/** Writes the workflow's declared plain outputs into `folder`; returns their names. */
export async function fetchOutputs(
  client: ContinuumClient,
  id: string,
  source: string,
  folder: string,
): Promise<string[]> {
  const { outputs } = declared(source)
  if (outputs.length === 0) return []
  const listing = await client.workflows.files(id)
  const wanted = listing.files.filter((f) => outputs.some((o) => o.test(f.path)))
  return fetchFiles(
    client,
    id,
    wanted.map((f) => f.path),
    folder,
  )
}
