/**
 * A CWL workflow's output Files registered into a scope (`--register-outputs SCOPE [--rule EXPR]
 * [--copies N]`, issue 19 part 3). Whether the caller may write the scope is decided at
 * submission; the registration itself is the workflow's last task, `register-outputs`, which
 * needs every other one, so it happens only once they all succeeded and the workflow succeeds
 * only once it is done. Its stage-out (run by the engine like any task's) takes the workflow's
 * CWL output object and, for each File the tools made, uploads it — checksummed by the
 * federation and verified against the bytes here — to writable storage near the site of the
 * task that made it (else where the rule says), then places the rule. Every name is checked
 * before any byte moves: a name the DID grammar refuses, two outputs with one name, or a name
 * already in the scope refuses the registration with the code, and nothing is registered.
 * What was registered is kept in the folder (`.cwl/registered.json`): a retry goes on from
 * there, and the output object names those files `did:scope:name`.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Endpoint } from '../contract/index.js'
import { addRule, getDid, listEndpoints, parseDid, parseExpression } from '../data/index.js'
import { actingAs, type Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { digestOf, ProtocolRegistry, uploadFile } from '../transfers/index.js'
import type { ComputeCandidate } from './broker.js'
import { readRecord, writeRecord } from './cwl-plan.js'
import { cwlTaskSites } from './cwl-register-store.js'
import { cwlWorkflowOutput } from './cwl-tasks.js'
import { openOutputFile } from './stage-out-file.js'
import type { Tracked } from './tracked-task.js'
import type { TaskSpec } from './types.js'

export interface Registration {
  scope: string
  rule: string | null
  copies: number
}

export const registrationRecord = (workdir: string) => path.join(workdir, '.cwl', 'register.json')
/** Registered files: their path relative to the workflow folder → `did:scope:name`. */
export const registeredRecord = (workdir: string) => path.join(workdir, '.cwl', 'registered.json')

/** The submission's `cwlRegisterOutputs`, checked; null when not asked for. */
export function checkRegistration(
  given: { scope: string; rule?: string; copies?: number } | undefined,
): Registration | null {
  if (given === undefined) return null
  const invalid = (field: string, message: string) =>
    new ContinuumError('VALIDATION_FAILED', message, { field: `cwlRegisterOutputs.${field}` })
  try {
    parseDid(`${given.scope}:x`)
  } catch (err) {
    throw invalid('scope', `output scope ${given.scope}: ${(err as Error).message}`)
  }
  if (given.rule !== undefined) {
    try {
      parseExpression(given.rule)
    } catch (err) {
      throw invalid('rule', `rule ${given.rule}: ${(err as Error).message}`)
    }
  }
  if (given.copies !== undefined && given.rule === undefined) {
    throw invalid('copies', 'copies go with a rule: give --rule too')
  }
  return { scope: given.scope, rule: given.rule ?? null, copies: given.copies ?? 1 }
}

/** The registering task: runs nothing itself, needs every task of the workflow. */
export function registerTask(names: string[]): { name: string; needs: string[]; spec: TaskSpec } {
  let name = 'register-outputs'
  while (names.includes(name)) name = `${name}-`
  return {
    name,
    needs: names,
    spec: {
      group: name,
      index: null,
      argv: ['true'],
      env: {},
      image: null,
      environment: null,
      resources: { cores: 1, memoryMb: 256, walltimeS: 600, accelerators: null },
      inputs: [],
      outputs: [],
      needs: names,
      retries: 0,
      site: null,
      exclude: null,
      cache: false,
      cwlRegister: true,
    },
  }
}

interface OutputFile {
  /** Relative to the workflow's folder. */
  rel: string
  name: string
}

/** The Files of an output object that tools made (a federation input passed through is not). */
function madeFiles(output: unknown, workdir: string): OutputFile[] {
  const found = new Map<string, OutputFile>()
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk)
    if (v === null || typeof v !== 'object') return
    const o = v as Record<string, unknown>
    if (o.class === 'File' && typeof o.path === 'string') {
      const loc = typeof o.location === 'string' ? o.location : ''
      if (!loc.startsWith('did:')) {
        const rel = path.relative(workdir, o.path)
        found.set(rel, {
          rel,
          name: typeof o.basename === 'string' ? o.basename : path.basename(o.path),
        })
      }
    }
    Object.values(o).forEach(walk)
  }
  walk(output)
  return [...found.values()]
}

/** Registers the workflow's output Files (the `register-outputs` task's stage-out). */
export async function registerCwlOutputs(
  base: Context,
  t: Tracked,
  sites: ReadonlyMap<string, ComputeCandidate>,
  registry = new ProtocolRegistry(),
): Promise<void> {
  if (!existsSync(registrationRecord(t.workdir))) return
  const reg = readRecord<Registration>(registrationRecord(t.workdir))
  const ctx = asOwner(base, t)
  const done: Record<string, string> = existsSync(registeredRecord(t.workdir))
    ? readRecord<Record<string, string>>(registeredRecord(t.workdir))
    : {}
  const files = madeFiles(await cwlWorkflowOutput(t.workdir), t.workdir)
  // Every name is checked before any byte moves: all of them are registered, or none.
  const problems: Array<{ file: string; code: string; message: string }> = []
  const seen = new Map<string, string>()
  for (const f of files) {
    if (done[f.rel] !== undefined) continue
    try {
      parseDid(`${reg.scope}:${f.name}`)
    } catch (err) {
      problems.push({ file: f.rel, code: 'DID_INVALID', message: (err as Error).message })
      continue
    }
    const twin = seen.get(f.name)
    if (twin !== undefined) {
      problems.push({
        file: f.rel,
        code: 'DID_ALREADY_EXISTS',
        message: `${twin} has the same name ${f.name}`,
      })
      continue
    }
    seen.set(f.name, f.rel)
    const taken = await getDid(ctx, { scope: reg.scope, name: f.name }).then(
      () => true,
      (err: unknown) => {
        if (err instanceof ContinuumError && err.code === 'DID_NOT_FOUND') return false
        throw err
      },
    )
    if (taken) {
      problems.push({
        file: f.rel,
        code: 'DID_ALREADY_EXISTS',
        message: `${reg.scope}:${f.name} exists already`,
      })
    }
  }
  if (problems.length > 0) {
    const first = problems[0]!
    throw new ContinuumError(
      first.code as 'DID_INVALID' | 'DID_ALREADY_EXISTS',
      `no output registered into ${reg.scope}: ${problems.map((p) => `${p.file}: ${p.code}: ${p.message}`).join('; ')}`,
      { scope: reg.scope, files: problems },
    )
  }
  const rows = await cwlTaskSites(base.db, t.workflowId)
  const endpoints = await listEndpoints(ctx)
  for (const f of files) {
    if (done[f.rel] !== undefined) continue
    const ref = { scope: reg.scope, name: f.name }
    const site = producingSite(f.rel, rows)
    const near = site === null ? [] : writableNear(endpoints, sites.get(site))
    const to = near.length > 0 ? near.join('|') : reg.rule
    if (to === null) {
      throw new ContinuumError(
        'ENDPOINT_UNAVAILABLE',
        `no writable storage near ${site ?? 'the site'} and no rule to register ${f.rel} with`,
        { site },
      )
    }
    const expected = await digestFile(t.workdir, f.rel)
    const file = await openOutputFile(t.workdir, f.rel)
    let adler32: string | null
    try {
      const replica = await uploadFile(
        ctx,
        registry,
        { ...ref, to, bytes: file.bytes },
        file.handle.createReadStream({ autoClose: false }),
      )
      adler32 = replica.adler32
    } finally {
      await file.handle.close()
    }
    if (adler32 !== expected) {
      throw new ContinuumError(
        'CHECKSUM_MISMATCH',
        `${f.rel}: the federation registered adler32 ${adler32 ?? 'none'}, its bytes have ${expected}`,
        { file: f.rel },
      )
    }
    if (reg.rule !== null) {
      await addRule(ctx, {
        ...ref,
        copies: reg.copies,
        expression: reg.rule,
        comment: `outputs of CWL workflow ${t.workflowId}`,
      })
    }
    done[f.rel] = `did:${reg.scope}:${f.name}`
    writeRecord(registeredRecord(t.workdir), done)
  }
}

async function digestFile(workdir: string, rel: string): Promise<string> {
  const file = await openOutputFile(workdir, rel)
  try {
    return (await digestOf(file.handle.createReadStream({ autoClose: false }))).adler32
  } finally {
    await file.handle.close()
  }
}

/** The site of the task whose folder (`cwl/<dir>/…`) holds the file. */
function producingSite(
  rel: string,
  rows: Array<{ site: string | null; spec: unknown }>,
): string | null {
  const [top, dir] = rel.split('/')
  if (top !== 'cwl' || dir === undefined) return null
  const row = rows.find((r) => (r.spec as TaskSpec).cwl?.dir === dir)
  return row?.site ?? null
}

/** Writable endpoints near a site: at its catalogue site, or named by its binding. */
function writableNear(
  endpoints: readonly Endpoint[],
  site: ComputeCandidate | undefined,
): string[] {
  if (!site) return []
  const named = new Set(site.nearEndpoints ?? [])
  const here = site.siteName?.toLowerCase() ?? null
  return endpoints
    .filter(
      (e) =>
        e.availableWrite &&
        (named.has(e.name) ||
          (here !== null && String(e.attributes.site ?? '').toLowerCase() === here)),
    )
    .map((e) => e.name)
}

/** The workflow's submitter: what they may write was decided when they submitted. */
function asOwner(ctx: Context, t: Tracked): Context {
  if (!t.owner) return ctx
  return actingAs(ctx, {
    principal: t.owner,
    account: t.owner.slice(t.owner.lastIndexOf('#') + 1),
    communities: t.community ? [t.community] : [],
    sees: 'all',
    kind: 'user',
  })
}

/** The output object with registered files named by their identifier. */
export function withRegistered(output: unknown, workdir: string): unknown {
  if (!existsSync(registeredRecord(workdir))) return output
  const done = readRecord<Record<string, string>>(registeredRecord(workdir))
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk)
    if (v === null || typeof v !== 'object') return v
    const o = { ...(v as Record<string, unknown>) }
    if (o.class === 'File' && typeof o.path === 'string' && done[o.path] !== undefined) {
      o.location = done[o.path]
    }
    for (const [k, x] of Object.entries(o)) if (k !== 'location' && k !== 'path') o[k] = walk(x)
    return o
  }
  return walk(output)
}
