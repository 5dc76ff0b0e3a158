/**
 * `continuum data upload|download`: bytes between a user's disk and the federation, with
 * progress bars and adler32 on both sides. Uploads declare the checksum computed locally, so the
 * server refuses (and removes) bytes that changed on the way; downloads are verified while they
 * stream and retried from another replica when they do not match.
 */
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Readable, Transform } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { pipeline } from 'node:stream/promises'
import { Command } from 'commander'
import cliProgress from 'cli-progress'
import { createAdler32 } from 'hash-wasm'
import type { ContinuumClient } from '../../client/index.js'
import type { DidRef } from '../../contract/index.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import type { Output } from '../output.js'
import { formatBytes, parseDidArg } from './data-args.js'

async function adler32OfFile(file: string): Promise<string> {
  const h = await createAdler32()
  h.init()
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer)
  }
  return h.digest('hex')
}

function progress(out: Output): cliProgress.MultiBar | undefined {
  if (out.json || !process.stderr.isTTY) return undefined
  return new cliProgress.MultiBar(
    {
      format: ' {bar} {percentage}% | {value_h}/{total_h} | {name}',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  )
}

function counting(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length)
      done(null, chunk)
    },
  })
}

export function uploadCommand(): Command {
  return withExamples(
    new Command('upload')
      .description(
        'Upload files: one file to scope:name, or several into the dataset scope:name (named after the files)',
      )
      .argument('<files...>', 'local files, then the target scope:name last')
      .requiredOption(
        '--to <expression>',
        'endpoint expression; the writable endpoint with the most free space is used',
      )
      .option(
        '--rule <copies:expression>',
        "also add a rule on the target, e.g. '2:country=DE|country=FR'",
      )
      .action(async (args: string[], opts: { to: string; rule?: string }, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        if (args.length < 2) {
          throw new ContinuumError(
            'INVALID_ARGUMENT',
            'give at least one file and the target scope:name',
          )
        }
        const target = parseDidArg(args.at(-1)!)
        const files = args.slice(0, -1)
        const c = client()
        const single = files.length === 1
        if (!single) {
          await c.data.getDid(target).catch(async (err: unknown) => {
            if (err instanceof ContinuumError && err.code === 'DID_NOT_FOUND') {
              return c.data.addDid({ ...target, type: 'dataset' })
            }
            throw err
          })
        }
        const bars = progress(out)
        const results = []
        for (const file of files) {
          const did: DidRef = single ? target : { scope: target.scope, name: path.basename(file) }
          const size = (await stat(file)).size
          const adler32 = await adler32OfFile(file)
          const bar = bars?.create(size, 0, { name: `${did.scope}:${did.name}` })
          const body = Readable.toWeb(
            createReadStream(file, { highWaterMark: 1 << 20 }).pipe(
              counting((n) => bar?.increment(n)),
            ),
          ) as ReadableStream<Uint8Array>
          const replica = await c.data.upload(did, body, { to: opts.to, bytes: size, adler32 })
          results.push(replica)
        }
        bars?.stop()
        if (!single) {
          await c.data.attach(
            target,
            results.map((r) => ({ scope: r.scope, name: r.name })),
          )
        }
        const rule =
          opts.rule === undefined ? undefined : await addRuleFromOption(c, target, opts.rule)
        if (out.json) out.write(JSON.stringify({ replicas: results, rule: rule ?? null }, null, 2))
        else {
          for (const r of results) {
            out.write(
              `uploaded ${r.scope}:${r.name} (${formatBytes(r.bytes)}, adler32 ${r.adler32 ?? '-'}) to ${r.endpoint}`,
            )
          }
          if (rule) {
            out.write(
              `added rule ${rule.id}: ${rule.copies} copies on ${rule.expression} (${rule.state})`,
            )
          }
        }
      }),
    'continuum data upload run1.raw atlas:run1.raw --to KIT_DATADISK',
    "continuum data upload SB000.MS SB001.MS lofar:L2026 --to 'country=NL' --rule '2:country=DE|country=FR'",
  )
}

async function addRuleFromOption(c: ContinuumClient, target: DidRef, text: string) {
  const m = /^(\d+):(.+)$/.exec(text)
  if (!m) {
    throw new ContinuumError(
      'INVALID_ARGUMENT',
      `--rule '${text}': expected copies:expression, e.g. 2:country=DE`,
      { value: text },
    )
  }
  return c.data.addRule({ ...target, copies: Number(m[1]), expression: m[2]! })
}

export function downloadCommand(): Command {
  return withExamples(
    new Command('download')
      .description(
        'Download files (or every file of a dataset) from their best replicas, verifying adler32',
      )
      .argument('<dids...>', 'scope:name of files or datasets')
      .option('--dir <dir>', 'target folder', '.')
      .action(async (dids: string[], opts: { dir: string }, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        const c = client()
        const bars = progress(out)
        const done: Array<{
          did: string
          path: string
          bytes: number
          adler32: string
          endpoint: string
        }> = []
        for (const text of dids) {
          const ref = parseDidArg(text)
          const did = await c.data.getDid(ref)
          const files = did.type === 'file' ? [ref] : await listFilesBelow(c, ref)
          for (const f of files) done.push(await downloadOne(c, f, opts.dir, bars))
        }
        bars?.stop()
        if (out.json) out.write(JSON.stringify({ files: done }, null, 2))
        else {
          for (const d of done) {
            out.write(
              `downloaded ${d.did} to ${d.path} (${formatBytes(d.bytes)}, adler32 ${d.adler32} verified, from ${d.endpoint})`,
            )
          }
        }
      }),
    'continuum data download lofar:L2026 --dir ./data',
  )
}

async function listFilesBelow(c: ContinuumClient, ref: DidRef): Promise<DidRef[]> {
  const replicas = await c.data.listReplicas(ref)
  const seen = new Map(
    replicas.map((r) => [`${r.scope}:${r.name}`, { scope: r.scope, name: r.name }]),
  )
  return [...seen.values()]
}

async function downloadOne(
  c: ContinuumClient,
  ref: DidRef,
  dir: string,
  bars: cliProgress.MultiBar | undefined,
) {
  const target = path.join(dir, ref.scope, ref.name)
  await mkdir(path.dirname(target), { recursive: true })
  const tried: string[] = []
  for (;;) {
    const dl = await c.data.download(ref, tried)
    const part = `${target}.part`
    const h = await createAdler32()
    h.init()
    let bytes = 0
    const bar = bars?.create(dl.bytes, 0, { name: `${ref.scope}:${ref.name}` })
    try {
      const body = Readable.fromWeb(dl.response.body! as WebReadableStream<Uint8Array>)
      await pipeline(
        body,
        counting((n) => {
          bytes += n
          bar?.increment(n)
        }),
        new Transform({
          transform(chunk: Buffer, _e, cb) {
            h.update(chunk)
            cb(null, chunk)
          },
        }),
        createWriteStream(part),
      )
      const adler32 = h.digest('hex')
      if (bytes !== dl.bytes || (dl.adler32 !== null && adler32 !== dl.adler32)) {
        throw new ContinuumError(
          'CHECKSUM_MISMATCH',
          `${ref.scope}:${ref.name} from ${dl.endpoint}: got ${bytes} bytes adler32 ${adler32}, expected ${dl.bytes} bytes adler32 ${dl.adler32 ?? '?'}`,
        )
      }
      await rename(part, target)
      return {
        did: `${ref.scope}:${ref.name}`,
        path: target,
        bytes,
        adler32,
        endpoint: dl.endpoint,
      }
    } catch (err) {
      await rm(part, { force: true })
      // Another replica may still be good; the server answers REPLICA_NOT_FOUND when none is left.
      if (tried.includes(dl.endpoint)) throw err
      tried.push(dl.endpoint)
    } finally {
      if (bar) bars?.remove(bar)
    }
  }
}
