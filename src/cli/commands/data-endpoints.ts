/** `continuum data endpoint …` and `continuum data register`: storage endpoints and bulk replica registration. */
import { readFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import type { ContinuumClient } from '../../client/index.js'
import type { Endpoint, Meta, Protocol } from '../../contract/index.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { formatRecord, printError, printResult, type Column, type Output } from '../output.js'
import { parseLimit, ReportedError } from './common.js'
import { collect, formatBytes, parseDidArg, parsePairs } from './data-args.js'

export const endpointColumns: Column<Endpoint>[] = [
  { header: 'name', value: (e) => e.name },
  {
    header: 'attributes',
    value: (e) =>
      Object.entries(e.attributes)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' '),
  },
  {
    header: 'r/w/d',
    value: (e) =>
      [e.availableRead, e.availableWrite, e.availableDelete].map((b) => (b ? 'y' : 'n')).join('/'),
  },
  { header: 'used', value: (e) => formatBytes(e.usedBytes) },
  {
    header: 'capacity',
    value: (e) => (e.capacityBytes === null ? null : formatBytes(e.capacityBytes)),
  },
]

export function endpointCommand(): Command {
  const endpoint = withExamples(
    new Command('endpoint').description(
      'Storage endpoints (RSEs): attributes, protocols, availability',
    ),
    'continuum data endpoint show DESY-ZN_DATADISK',
  )
  const protocolHelp =
    'scheme URL with priorities read,write,delete, e.g. davs://host:2880/pnfs@1,1,1 (repeatable)'
  endpoint.addCommand(
    withExamples(
      new Command('add')
        .description('Add a storage endpoint')
        .argument('<name>', 'upper-case name, e.g. DESY-ZN_DATADISK')
        .option('--attr <key=value>', 'attribute (repeatable)', collect)
        .option('--protocol <url@r,w,d>', protocolHelp, collect)
        .option('--capacity <bytes>', 'total capacity in bytes', parseLimit)
        .action(
          async (
            name: string,
            opts: { attr?: string[]; protocol?: string[]; capacity?: number },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const created = await client().data.addEndpoint({
              name,
              attributes: parsePairs(opts.attr ?? []),
              protocols: (opts.protocol ?? []).map(parseProtocol),
              ...(opts.capacity === undefined ? {} : { capacityBytes: opts.capacity }),
            })
            printResult(out, created, (e) => `added endpoint ${e.name}`)
          },
        ),
      'continuum data endpoint add DESY-ZN_DATADISK --attr country=DE --attr tier=1 --attr type=disk --protocol davs://dcache.desy.de:2880/pnfs@1,1,1',
    ),
  )
  endpoint.addCommand(
    withExamples(
      new Command('show')
        .description('Show one endpoint')
        .argument('<name>', 'name or id')
        .action(async (name: string, _o: unknown, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          printResult(out, await client().data.getEndpoint(name), (e) => formatRecord(e))
        }),
      'continuum data endpoint show KIT_DATADISK',
    ),
  )
  endpoint.addCommand(
    withExamples(
      new Command('set')
        .description('Change attributes (key= removes one), availability or capacity')
        .argument('<name>', 'name or id')
        .option('--attr <key=value>', 'attribute to set; key= to remove (repeatable)', collect)
        .addOption(new Option('--read <on|off>', 'reads allowed').choices(['on', 'off']))
        .addOption(new Option('--write <on|off>', 'writes allowed').choices(['on', 'off']))
        .addOption(new Option('--delete <on|off>', 'deletions allowed').choices(['on', 'off']))
        .option('--capacity <bytes>', 'total capacity in bytes', parseLimit)
        .action(
          async (
            name: string,
            opts: {
              attr?: string[]
              read?: string
              write?: string
              delete?: string
              capacity?: number
            },
            cmd: Command,
          ) => {
            const { out, client } = cliContext(cmd)
            const attributes: Record<string, Meta[string] | null> = {}
            for (const pair of opts.attr ?? []) {
              if (pair.endsWith('=')) attributes[pair.slice(0, -1)] = null
              else Object.assign(attributes, parsePairs([pair]))
            }
            const patch = {
              ...(opts.attr ? { attributes } : {}),
              ...(opts.read ? { availableRead: opts.read === 'on' } : {}),
              ...(opts.write ? { availableWrite: opts.write === 'on' } : {}),
              ...(opts.delete ? { availableDelete: opts.delete === 'on' } : {}),
              ...(opts.capacity === undefined ? {} : { capacityBytes: opts.capacity }),
            }
            if (Object.keys(patch).length === 0) {
              throw new ContinuumError(
                'INVALID_ARGUMENT',
                'nothing to change: give at least one option (see --help)',
              )
            }
            printResult(
              out,
              await client().data.updateEndpoint(name, patch),
              (e) => `updated endpoint ${e.name}`,
            )
          },
        ),
      'continuum data endpoint set KIT_DATADISK --write off --attr site=FZK-LCG2',
    ),
  )
  return endpoint
}

export function parseProtocol(text: string): Protocol {
  const m = /^([a-z][a-z0-9+]*):\/\/(.+?)(?:@(\d+),(\d+),(\d+))?$/.exec(text)
  if (!m) {
    throw new ContinuumError(
      'INVALID_ARGUMENT',
      `--protocol '${text}': expected scheme://… optionally followed by @read,write,delete priorities`,
      { value: text },
    )
  }
  const [, scheme, , r = '1', w = '1', d = '1'] = m
  return {
    scheme: scheme as Protocol['scheme'],
    url: text.replace(/@\d+,\d+,\d+$/, ''),
    read: Number(r),
    write: Number(w),
    delete: Number(d),
  }
}

export function registerCommand(): Command {
  return withExamples(
    new Command('register')
      .description(
        'Register replicas that already exist on an endpoint, from a file of "scope:name bytes adler32" lines (10,000 per call)',
      )
      .argument('<endpoint>', 'endpoint name')
      .argument('<file>', "list file ('-' for standard input)")
      .action(async (endpoint: string, file: string, _o: unknown, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        const lines = readFileSync(file === '-' ? 0 : file, 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#'))
        await registerLines(out, client(), endpoint, lines)
      }),
    'continuum data register KIT_DATADISK replicas.txt',
  )
}

async function registerLines(
  out: Output,
  c: ContinuumClient,
  endpoint: string,
  lines: string[],
): Promise<void> {
  let ok = 0
  let failed = 0
  let firstError: ContinuumError | undefined
  const failures: Array<{ item: string; error: { code: string; message: string } }> = []
  for (let i = 0; i < lines.length; i += 10_000) {
    const replicas = lines.slice(i, i + 10_000).map((line) => {
      const [did = '', bytes = '', adler32 = ''] = line.split(/\s+/)
      return { ...parseDidArg(did), bytes: Number(bytes), adler32: adler32.toLowerCase() }
    })
    const result = await c.data.registerReplicas({ endpoint, replicas })
    ok += result.ok
    failed += result.failed
    for (const r of result.results) {
      if (!r.ok && r.error) failures.push({ item: r.item, error: r.error })
    }
  }
  if (failures[0]) {
    firstError = new ContinuumError(
      'VALIDATION_FAILED',
      `${failed} of ${ok + failed} replicas were not registered`,
      { failed },
    )
  }
  if (out.json) out.write(JSON.stringify({ ok, failed, failures }, null, 2))
  else {
    out.write(`registered ${ok} replicas on ${endpoint}; ${failed} failed`)
    for (const f of failures.slice(0, 20)) {
      out.error(`  ${f.item}: ${f.error.code} ${f.error.message}`)
    }
  }
  if (firstError) {
    if (!out.json) printError(out, firstError)
    throw new ReportedError(firstError)
  }
}
