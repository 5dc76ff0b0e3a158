/**
 * Stage-in and stage-out through the data federation's public use cases.
 *
 * Stage-in, for inputs `did:scope:name` (files or datasets): when the chosen site has storage
 * near it (endpoints whose `site` attribute names the catalogue site), the task waits in
 * `staging` until every file has an available replica there, asked for with a rule of one copy
 * on those endpoints (the transfer agent moves the bytes). A site with no storage of its own
 * reads its inputs from where they are, as long as each file has an available replica
 * somewhere. Either way the chosen POSIX replica of each file is linked into the workflow's
 * folder under the file's name, which is where the task reads it.
 *
 * Stage-out, for outputs `did:scope:name`: the file the task wrote at `<folder>/<name>` is
 * uploaded (checksummed, verified) to storage near the site, else to an endpoint of the
 * workflow's output rule, registered with its adler32, and kept by the workflow's output rule.
 */
import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  renameSync,
  statSync,
  symlinkSync,
} from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Endpoint, Replica } from '../contract/index.js'
import { addRule, listEndpoints, listReplicas, listRules, parseDid } from '../data/index.js'
import { actingAs, type Context } from '../db/index.js'
import { ContinuumError } from '../platform/index.js'
import { ProtocolRegistry, uploadFile } from '../transfers/index.js'
import { openOutputFile } from './stage-out-file.js'
import {
  checkLocalInputs,
  isDataIdentifier,
  type InputLocations,
  type Staging,
  type StageOutRequest,
  type StageRequest,
  type StageState,
} from './staging.js'

export class FederationStaging implements Staging {
  private readonly registry: ProtocolRegistry

  constructor(
    private readonly ctx: Context,
    options: { registry?: ProtocolRegistry } = {},
  ) {
    this.registry = options.registry ?? new ProtocolRegistry()
  }

  /**
   * The workflow's submitter: the rules and files staging creates are theirs and charged to
   * their community (what they may read and write was decided when they submitted). It sees
   * every community so that it finds rules already placed on open data of others.
   */
  private actingFor(request: StageRequest): Context {
    if (!request.owner) return this.ctx
    const account = request.owner.slice(request.owner.lastIndexOf('#') + 1)
    const communities = request.community ? [request.community] : []
    return actingAs(this.ctx, {
      principal: request.owner,
      account,
      communities,
      sees: 'all',
      kind: 'user',
    })
  }

  async stageIn(request: StageRequest): Promise<StageState> {
    checkLocalInputs(request)
    const ctx = this.actingFor(request)
    const dids = request.inputs.filter(isDataIdentifier)
    if (dids.length === 0) return { ready: true }
    const endpoints = await listEndpoints(ctx)
    const near = nearEndpoints(endpoints, request)
    let missing = 0
    let total = 0
    const waitingOn: string[] = []
    for (const input of dids) {
      const ref = parseDid(input.slice(4))
      const replicas = (await listReplicas(ctx, ref)).filter((r) => r.state === 'available')
      const files = groupByFile(replicas)
      if (files.size === 0) {
        throw new ContinuumError(
          'REFERENCE_NOT_FOUND',
          `input ${input} has no available replica in the federation`,
          { input },
        )
      }
      total += files.size
      let here = 0
      for (const [, copies] of files) {
        const local = copies.find((r) => near.has(r.endpoint))
        if (near.size > 0 && !local) continue
        here++
        linkInput(request.workdir, local ?? copies[0]!)
      }
      if (here < files.size) {
        missing += files.size - here
        waitingOn.push(input)
        await this.ensureRule(ctx, ref, [...near].join('|'), request.workflowId)
      }
    }
    if (missing === 0) {
      return {
        ready: true,
        note:
          near.size === 0
            ? `inputs read where they are (no storage near ${request.site})`
            : `inputs at ${[...near].join(', ')}`,
      }
    }
    return {
      ready: false,
      reason: `waiting for ${missing} of ${total} input files to reach ${[...near].join('|')} (${waitingOn.join(', ')})`,
    }
  }

  async inputUrls(request: StageRequest): Promise<Array<{ name: string; url: string }>> {
    const dids = request.inputs.filter(isDataIdentifier)
    if (dids.length === 0) return []
    const ctx = this.actingFor(request)
    const endpoints = await listEndpoints(ctx)
    const near = nearEndpoints(endpoints, request)
    const out: Array<{ name: string; url: string }> = []
    for (const input of dids) {
      const replicas = (await listReplicas(ctx, parseDid(input.slice(4)))).filter(
        (r) => r.state === 'available',
      )
      for (const [, copies] of groupByFile(replicas)) {
        const ordered = [...copies].sort(
          (a, b) => Number(near.has(b.endpoint)) - Number(near.has(a.endpoint)),
        )
        // A site elsewhere cannot open this server's files: only network URLs will do.
        const url = ordered.flatMap((r) => r.urls).find((u) => !u.startsWith('file:'))
        if (url === undefined) {
          throw new ContinuumError(
            'ENDPOINT_UNAVAILABLE',
            `input ${input}: no copy of ${copies[0]!.name} is on storage that ${request.site} can reach over the network`,
            { input, site: request.site },
          )
        }
        out.push({ name: copies[0]!.name, url })
      }
    }
    return out
  }

  /** One rule per input and destination; a second round finds it and adds none. */
  private async ensureRule(
    ctx: Context,
    ref: { scope: string; name: string },
    expression: string,
    workflowId: string,
  ): Promise<void> {
    const rules = await listRules(ctx, { scope: ref.scope, name: ref.name })
    if (rules.some((r) => r.expression === expression)) return
    await addRule(ctx, {
      scope: ref.scope,
      name: ref.name,
      copies: 1,
      expression,
      comment: `stage-in for workflow ${workflowId}`,
    })
  }

  async stageOut(request: StageOutRequest): Promise<void> {
    const plain = request.outputs.filter((o) => !isDataIdentifier(o))
    for (const output of plain) {
      if (!existsSync(path.resolve(request.workdir, output))) {
        throw new ContinuumError(
          'REFERENCE_NOT_FOUND',
          `task ${request.taskName} did not write its output ${output}`,
          { output },
        )
      }
    }
    const dids = request.outputs.filter(isDataIdentifier)
    if (dids.length === 0) return
    const ctx = this.actingFor(request)
    const endpoints = await listEndpoints(ctx)
    const near = [...nearEndpoints(endpoints, request)].filter(
      (n) => endpoints.find((e) => e.name === n)?.availableWrite,
    )
    const to = near.length > 0 ? near.join('|') : request.rule
    if (to === null) {
      throw new ContinuumError(
        'ENDPOINT_UNAVAILABLE',
        `no storage near ${request.site} and no outputs.rule to upload ${dids[0]} to`,
        { site: request.site },
      )
    }
    for (const output of dids) {
      const ref = parseDid(output.slice(4))
      const existing = await listReplicas(ctx, ref).catch(() => [] as Replica[])
      // A retried stage-out finds its upload done (the name is never reused for other bytes).
      if (!existing.some((r) => r.state === 'available')) {
        // Only a regular file inside the run folder, never through a link (stage-out-file.ts).
        const file = await openOutputFile(request.workdir, ref.name).catch((err: unknown) => {
          if (err instanceof ContinuumError && err.code === 'REFERENCE_NOT_FOUND') {
            throw new ContinuumError(
              'REFERENCE_NOT_FOUND',
              `task ${request.taskName} did not write its output ${ref.name}`,
              { output: ref.name },
            )
          }
          throw err
        })
        try {
          await uploadFile(
            ctx,
            this.registry,
            { ...ref, to, bytes: file.bytes },
            file.handle.createReadStream({ autoClose: false }),
          )
        } finally {
          await file.handle.close()
        }
      }
      if (request.rule !== null) await this.ensureRule(ctx, ref, request.rule, request.workflowId)
    }
  }

  async locate(ctx: Context, dids: readonly string[]): Promise<InputLocations> {
    const endpoints = new Map((await listEndpoints(ctx)).map((e) => [e.name, e]))
    const out: InputLocations = new Map()
    for (const did of new Set(dids)) {
      let replicas: Replica[]
      try {
        replicas = await listReplicas(ctx, parseDid(did.slice(4)))
      } catch {
        continue
      }
      let bytes = 0
      const sites = new Set<string>()
      const held = new Set<string>()
      for (const [, copies] of groupByFile(replicas.filter((r) => r.state === 'available'))) {
        bytes += copies[0]!.bytes
        for (const r of copies) {
          held.add(r.endpoint)
          const site = endpoints.get(r.endpoint)?.attributes.site
          if (site !== undefined) sites.add(String(site).toLowerCase())
        }
      }
      out.set(did, { bytes, sites: [...sites], endpoints: [...held] })
    }
    return out
  }
}

/**
 * Endpoints near the site: those at its catalogue site (their `site` attribute, compared without
 * case) and those its binding names.
 */
function nearEndpoints(
  endpoints: readonly Endpoint[],
  request: { siteName?: string | null; nearEndpoints?: readonly string[] },
): Set<string> {
  const want = request.siteName?.toLowerCase() ?? null
  const named = new Set(request.nearEndpoints ?? [])
  return new Set(
    endpoints
      .filter(
        (e) =>
          e.availableRead &&
          (named.has(e.name) ||
            (want !== null && String(e.attributes.site ?? '').toLowerCase() === want)),
      )
      .map((e) => e.name),
  )
}

function groupByFile(replicas: readonly Replica[]): Map<string, Replica[]> {
  const out = new Map<string, Replica[]>()
  for (const r of replicas) {
    const key = `${r.scope}:${r.name}`
    out.set(key, [...(out.get(key) ?? []), r])
  }
  return out
}

/**
 * Links a POSIX replica into the workflow folder under the file's name (idempotent). Tasks of
 * a workflow share its folder, so a link that already leads to a copy of the file is kept: re-
 * pointing it would pull the file from under a task of the same workflow reading it now (a
 * confined job sees only the link targets it started with). A dangling link is replaced by
 * renaming a new one over it, so the name is never missing.
 */
function linkInput(workdir: string, replica: Replica): void {
  const url = replica.urls.find((u) => u.startsWith('file:'))
  if (url === undefined) return
  const target = fileURLToPath(url)
  const link = path.resolve(workdir, replica.name)
  mkdirSync(path.dirname(link), { recursive: true })
  try {
    const stat = lstatSync(link)
    if (!stat.isSymbolicLink()) return
    if (readlinkSync(link) === target || existsSync(link)) return
  } catch {
    // Not there yet.
  }
  const temporary = `${link}.${randomBytes(6).toString('hex')}.link`
  if (unreadableToJobs(target)) {
    // A server running as root confines jobs to another account, which cannot read the
    // storage's private files: the task gets its own copy (a reflink where the file system
    // has them), and the stored replica stays private.
    copyFileSync(target, temporary, constants.COPYFILE_FICLONE)
    chmodSync(temporary, 0o644)
  } else {
    symlinkSync(target, temporary)
  }
  renameSync(temporary, link)
}

function unreadableToJobs(file: string): boolean {
  if (process.getuid?.() !== 0) return false
  return (statSync(file).mode & 0o004) === 0
}
