/**
 * GLUE 2.0 mapped onto catalogue records (OGF GFD.147 entities, in the JSON rendering nested or
 * flat, or in LDIF as BDIIs publish it): each AdminDomain → infrastructure, ComputingService (+
 * ComputingManager, ComputingShare, ExecutionEnvironment, AcceleratorEnvironment) → compute
 * service, StorageService (+ StorageServiceCapacity, Endpoint) → storage services per media.
 * Every attribute is mapped or reported back (`unmapped`, and a `warnings` line each), never
 * dropped silently. Errors point into the GLUE file. Pure (no database): it also runs on the
 * parse thread.
 */
import { stringify } from 'yaml'
import type { ImportError } from '../contract/index.js'
import { error } from './catalog-file-parse.js'
import { GlueEntity, readGlueJson, type GlueDocument } from './glue2-model.js'
import { isLdif, readGlueLdif } from './glue2-ldif.js'
import { assertCountry } from './validation.js'

type Obj = Record<string, unknown>
export interface Unmapped {
  file: string
  path: string
  reason: string
}

const batch: Record<string, string> = {
  slurm: 'slurm',
  htcondor: 'htcondor',
  condor: 'htcondor',
  pbs: 'pbs',
  torque: 'pbs',
  pbspro: 'pbs',
  openpbs: 'pbs',
  kubernetes: 'kubernetes',
  openstack: 'cloud',
  lsf: 'local',
  sge: 'local',
}
const protocol: Record<string, string> = {
  xroot: 'root',
  xrootd: 'root',
  root: 'root',
  webdav: 'davs',
  davs: 'davs',
  https: 'https',
  http: 'https',
  s3: 's3',
  posix: 'posix',
  file: 'posix',
}
/** Why a whole entity has no record, by kind. */
const entityReasons: Record<string, string> = {
  ComputingEndpoint:
    'compute endpoints are operational data (see the workflow executors), not catalogue facts',
}
/** The country of an AdminDomain that publishes none (ISO 3166 "unknown or unspecified"). */
const unknownCountry = 'ZZ'

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63)
    .replace(/[-.]+$/, '') || 'unnamed'
/** A scalar GLUE attribute as text (the first of a list); objects are not names. */
const str = (...vs: unknown[]): string => {
  for (const v of vs) {
    const x: unknown = Array.isArray(v) ? (v as unknown[])[0] : v
    if (typeof x === 'string' || typeof x === 'number') return String(x)
  }
  return ''
}
const tb = (gb: number) => Number((gb / 1000).toPrecision(12))

export interface MappedGlue {
  errors: ImportError[]
  unmapped: Unmapped[]
  warnings: string[]
  mapped?: { path: string; content: string }
}

/** One GLUE 2.0 file (JSON or LDIF) read and mapped: a catalogue file's text, or the errors. */
export function mapGlueFile(path: string, content: string): MappedGlue {
  const read = isLdif(path, content) ? readGlueLdif(path, content) : readGlueJson(path, content)
  const out: MappedGlue = { errors: read.errors, unmapped: [], warnings: [] }
  if (!read.doc) return out
  const mapped = mapGlue(path, read.doc, out)
  if (out.errors.length > 0) return out
  return {
    ...out,
    mapped: { path: `${path} (mapped)`, content: stringify(mapped, { lineWidth: 0 }) },
  }
}

function mapGlue(file: string, doc: GlueDocument, out: MappedGlue): Obj {
  const { errors } = out
  const warn = (e: GlueEntity | undefined, attr: string | undefined, message: string) => {
    const [line, column] = e ? e.pos(attr) : [1, 1]
    const where = e ? (attr ? `${e.path}.${attr}` : e.path) : '(file)'
    out.warnings.push(`${file}:${line}:${column} ${where}: ${message}`)
  }
  const note = (e: GlueEntity, attr: string | undefined, reason: string) => {
    out.unmapped.push({ file, path: attr ? `${e.path}.${attr}` : e.path, reason })
    warn(e, attr, `not mapped: ${e.kind}${attr ? `.${attr}` : ''} (${reason})`)
  }
  const num = (e: GlueEntity, attr: string): number | undefined => {
    const v = e.take(attr)
    if (v === undefined || v === null) return undefined
    if (typeof v === 'number' && v >= 0) return v
    if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim())) return Number(v)
    errors.push(e.errorAt(file, attr, `expected a non-negative number, got ${JSON.stringify(v)}`))
    return undefined
  }
  const text = (e: GlueEntity, attr: string): string | undefined => {
    const v = str(e.take(attr))
    return v === '' ? undefined : v
  }
  const of = (kind: string) => doc.entities.filter((e) => e.kind === kind)
  const claim = (e: GlueEntity) => {
    e.claimed = true
    e.used.add('ID')
    return e
  }
  /** An entity left out on purpose: reported once, whole. */
  const skip = (e: GlueEntity, reason: string) => {
    note(e, undefined, reason)
    claim(e)
    for (const attr of e.attrs.keys()) e.used.add(attr)
  }

  const domains = of('AdminDomain')
  const named = (d: GlueEntity) => str(d.attrs.get('Name'), d.attrs.get('ID'))
  const nameless = domains.find((d) => !named(d))
  if (domains.length === 0 || nameless) {
    const message = 'an AdminDomain with a Name (or ID) is needed: it becomes the infrastructure'
    errors.push(
      nameless ? nameless.errorAt(file, undefined, message) : error(file, 1, 1, '(file)', message),
    )
    return {}
  }
  const out0: Obj = {
    infrastructures: domains.map((d) => infrastructure(claim(d))),
    computeServices: [] as Obj[],
    storageServices: [] as Obj[],
  }
  // A top BDII publishes many sites: a service belongs to the AdminDomain it is linked to,
  // else (nested files name none) to the first.
  const infraNames = new Map(
    domains.map((d, i) => [d, (out0.infrastructures as Obj[])[i]!.name as string]),
  )
  const infraOf = (s: GlueEntity) =>
    infraNames.get(s.rel('AdminDomain')[0] ?? domains[0]!) ?? infraNames.get(domains[0]!)!

  function infrastructure(domain: GlueEntity): Obj {
    const title = text(domain, 'Name') ?? named(domain)
    const location = domain.rel('Location')[0]
    let country = location && text(claim(location), 'Country')?.toUpperCase()
    if (country === undefined) {
      warn(
        location ?? domain,
        location ? 'Country' : undefined,
        `AdminDomain '${title}' publishes no Location.Country: its country is recorded as unknown (${unknownCountry})`,
      )
      country = unknownCountry
    } else {
      try {
        assertCountry(country)
      } catch {
        const message = `'${country}' is not an ISO 3166-1 alpha-2 country code`
        errors.push(location!.errorAt(file, 'Country', message))
      }
    }
    // Owner is a list in GLUE 2.0: all of them operate the infrastructure.
    const owners = [domain.take('Owner')].flat().filter((o) => typeof o === 'string' && o !== '')
    const www = text(domain, 'WWW')
    return {
      name: slug(title),
      title,
      kind: 'HTC',
      operator: owners.length ? owners.join(', ').slice(0, 200) : title,
      country,
      ...(www ? { url: www } : {}),
      description: text(domain, 'Description') ?? '',
    }
  }
  const serviceAttributes = (s: GlueEntity): Record<string, string> => {
    const attributes: Record<string, string> = { glue2_id: str(s.take('ID')).slice(0, 200) }
    const type = text(s, 'Type')
    if (type) attributes.glue2_type = type.slice(0, 200)
    const quality = text(s, 'QualityLevel')
    if (quality) attributes.quality_level = quality.slice(0, 200)
    return attributes
  }

  of('ComputingService').forEach((cs, i) => {
    claim(cs)
    const [mgr, ...otherManagers] = cs.rel('ComputingManager', 'Manager')
    for (const m of otherManagers) skip(m, 'only the first ComputingManager is mapped')
    if (mgr) claim(mgr)
    const product = (mgr && text(mgr, 'ProductName')) ?? ''
    const bs = batch[product.toLowerCase()]
    if (!bs) {
      errors.push(
        (mgr ?? cs).errorAt(
          file,
          mgr ? 'ProductName' : undefined,
          `unknown batch system '${product}' (known: ${Object.keys(batch).join(', ')})`,
        ),
      )
    }
    const attributes = serviceAttributes(cs)
    const logical = mgr && num(mgr, 'TotalLogicalCPUs')
    const cores = logical ?? (mgr && num(mgr, 'TotalPhysicalCPUs')) ?? 0
    const envs = new Set([
      ...(mgr?.rel('ExecutionEnvironment') ?? []),
      ...cs.rel('ExecutionEnvironment'),
    ])
    let memPerCore: number | null = null
    for (const ee of envs) {
      claim(ee)
      const mem = num(ee, 'MainMemorySize')
      const cpus = num(ee, 'LogicalCPUs')
      if (mem !== undefined && cpus) {
        memPerCore = Math.max(memPerCore ?? 0, Number((mem / cpus / 1024).toPrecision(6)))
      }
    }
    const accs = new Set([
      ...(mgr?.rel('AcceleratorEnvironment') ?? []),
      ...cs.rel('AcceleratorEnvironment'),
    ])
    const accelerators = [...accs].map((ae) => {
      claim(ae)
      const model = text(ae, 'Model') ?? text(ae, 'Type') ?? 'accelerator'
      const memory = num(ae, 'VirtualMemorySize')
      return {
        model: `${text(ae, 'Vendor') ?? ''} ${model}`.trim(),
        count: num(ae, 'PhysicalAccelerators') ?? 1,
        memoryGB: memory === undefined ? null : memory / 1024,
      }
    })
    let wall: number | null = null
    for (const share of cs.rel('ComputingShare', 'Share')) {
      const w = num(claim(share), 'MaxWallTime')
      if (w !== undefined) wall = Math.max(wall ?? 0, w / 3600)
    }
    const infra = infraOf(cs)
    const name = slug(str(cs.attrs.get('Name'), cs.attrs.get('ID'), `${infra}-compute-${i}`))
    const description = text(cs, 'Description')
    ;(out0.computeServices as Obj[]).push({
      name,
      title: text(cs, 'Name') ?? str(cs.attrs.get('ID'), name),
      infrastructure: infra,
      batchSystem: bs ?? 'local',
      cores: Math.round(cores),
      memoryPerCoreGB: memPerCore,
      accelerators,
      maxWalltimeHours: wall,
      attributes,
      ...(description ? { description } : {}),
    })
  })

  of('StorageService').forEach((ss, i) => {
    claim(ss)
    const protocols = new Set<string>()
    for (const ep of ss.rel('Endpoint', 'StorageEndpoint')) {
      claim(ep)
      const iface = str(ep.attrs.get('InterfaceName')).toLowerCase()
      const p = protocol[iface]
      if (p) {
        ep.take('InterfaceName')
        protocols.add(p)
      } else if (ep.has('InterfaceName')) {
        ep.used.add('InterfaceName')
        note(ep, 'InterfaceName', `interface '${iface}' is not one of posix, https, davs, root, s3`)
      }
    }
    if (protocols.size === 0) {
      warn(ss, undefined, 'no endpoint with a known interface: assumed posix')
    }
    const infra = infraOf(ss)
    const base = slug(str(ss.attrs.get('Name'), ss.attrs.get('ID'), `${infra}-storage-${i}`))
    const attributes = serviceAttributes(ss)
    const title = text(ss, 'Name') ?? base
    const description = text(ss, 'Description')
    // Sizes (GB) summed per media: online → disk, nearline → tape.
    const media = new Map<string, Partial<Record<'total' | 'used' | 'free' | 'reserved', number>>>()
    for (const cap of ss.rel('StorageServiceCapacity')) {
      claim(cap)
      const type = text(cap, 'Type') ?? 'online'
      if (type !== 'online' && type !== 'nearline') {
        note(cap, 'Type', `capacity type '${type}' not mapped (online → disk, nearline → tape)`)
        continue
      }
      const m = type === 'nearline' ? 'tape' : 'disk'
      const sizes = media.get(m) ?? {}
      for (const [key, attr] of [
        ['total', 'TotalSize'],
        ['used', 'UsedSize'],
        ['free', 'FreeSize'],
        ['reserved', 'ReservedSize'],
      ] as const) {
        const v = num(cap, attr)
        if (v !== undefined) sizes[key] = (sizes[key] ?? 0) + v
      }
      media.set(m, sizes)
    }
    if (media.size === 0) media.set('disk', {})
    for (const [m, sizes] of media) {
      ;(out0.storageServices as Obj[]).push({
        name: media.size > 1 ? `${base}-${m}`.slice(0, 63) : base,
        title,
        infrastructure: infra,
        media: m,
        protocols: protocols.size ? [...protocols].sort() : ['posix'],
        capacityTB: sizes.total === undefined ? null : tb(sizes.total),
        attributes: {
          ...attributes,
          ...(sizes.used === undefined ? {} : { used_tb: String(tb(sizes.used)) }),
          ...(sizes.free === undefined ? {} : { free_tb: String(tb(sizes.free)) }),
          ...(sizes.reserved === undefined ? {} : { reserved_tb: String(tb(sizes.reserved)) }),
        },
        ...(description ? { description } : {}),
      })
    }
  })

  reportLeftovers(doc, note)
  return out0
}

/** Attributes no mapping read, and entities no record came from, each reported once. */
function reportLeftovers(
  doc: GlueDocument,
  note: (e: GlueEntity, attr: string | undefined, reason: string) => void,
): void {
  const reportedLists = new Set<string>()
  for (const e of doc.entities) {
    if (e.claimed) {
      for (const attr of e.attrs.keys()) if (!e.used.has(attr)) note(e, attr, 'no catalogue field')
      continue
    }
    // Inside an entity that is reported whole: covered by its parent.
    if (e.parent && !e.parent.claimed) continue
    const reason = entityReasons[e.kind] ?? 'GLUE entity with no catalogue counterpart'
    if (!e.parent && doc.entities.every((x) => x.list !== e.list || x.parent || !x.claimed)) {
      // A whole top-level list with nothing mapped is reported as the list.
      if (reportedLists.has(e.list)) continue
      reportedLists.add(e.list)
      const whole = new GlueEntity(e.kind, new Map(), [], e.list, (a) => e.pos(a), e.list)
      note(whole, undefined, reason)
      continue
    }
    note(e, undefined, reason)
  }
}
