/**
 * GLUE 2.0 JSON mapped onto catalogue records (OGF GFD.147 entities in their JSON rendering, as
 * BDII/ARC/CRIC publish them): AdminDomain → infrastructure, ComputingService (+
 * ComputingManager, ComputingShare, ExecutionEnvironment, AcceleratorEnvironment) → compute
 * service, StorageService (+ StorageServiceCapacity, Endpoint) → storage services per media.
 * Whatever has no catalogue field is listed in `unmapped`, never silently dropped. Errors point
 * into the GLUE file. Pure (no database): it also runs on the parse thread.
 */
import { isMap, stringify } from 'yaml'
import type { ImportError } from '../contract/index.js'
import { parseYamlBounded, yamlToValue } from '../platform/index.js'
import {
  catalogYamlLimits,
  indexLocations,
  located,
  type ParsedFile,
  type PathPart,
} from './catalog-file-parse.js'

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
const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 63)
    .replace(/[-.]+$/, '') || 'unnamed'
/** A scalar GLUE attribute as text; objects and arrays are not names. */
const str = (...vs: unknown[]): string => {
  for (const v of vs) if (typeof v === 'string' || typeof v === 'number') return String(v)
  return ''
}
const list = (v: unknown): Obj[] =>
  Array.isArray(v) ? (v as Obj[]) : v && typeof v === 'object' ? [v as Obj] : []

const mappedKeys = {
  AdminDomain: new Set(['ID', 'Name', 'WWW', 'Description', 'Location', 'Owner']),
  ComputingService: new Set([
    'ID',
    'Name',
    'Type',
    'ComputingManager',
    'ComputingShare',
    'ComputingEndpoint',
    'Description',
    'Location',
    'QualityLevel',
  ]),
  ComputingManager: new Set([
    'ProductName',
    'TotalLogicalCPUs',
    'TotalPhysicalCPUs',
    'ExecutionEnvironment',
    'AcceleratorEnvironment',
  ]),
  StorageService: new Set([
    'ID',
    'Name',
    'Type',
    'StorageServiceCapacity',
    'StorageEndpoint',
    'Endpoint',
    'Description',
    'QualityLevel',
  ]),
}

/** One GLUE 2.0 file read and mapped: a catalogue file's text, or the errors that stop it. */
export function mapGlueFile(
  path: string,
  content: string,
): { errors: ImportError[]; unmapped: Unmapped[]; mapped?: { path: string; content: string } } {
  const errors: ImportError[] = []
  const unmapped: Unmapped[] = []
  const { doc, lines } = parseYamlBounded(content, catalogYamlLimits, `GLUE 2.0 file ${path}`)
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const { line, col } = lines.linePos(e.pos[0])
      const message = e.message.split('\n')[0]!
      errors.push({
        file: path,
        line,
        column: col,
        path: '(syntax)',
        message,
        text: `${path}:${line}:${col} (syntax): ${message}`,
      })
    }
    return { errors, unmapped }
  }
  const file: ParsedFile = indexLocations(path, doc, lines)
  if (!isMap(doc.contents)) {
    errors.push(
      located(
        file,
        [],
        'expected a GLUE 2.0 JSON object with AdminDomain, ComputingService and StorageService',
      ),
    )
    return { errors, unmapped }
  }
  const value = yamlToValue(doc, catalogYamlLimits, `GLUE 2.0 file ${path}`) as Obj
  const mapped = mapGlue(value, file, errors, unmapped)
  return {
    errors,
    unmapped,
    mapped: { path: `${path} (mapped)`, content: stringify(mapped, { lineWidth: 0 }) },
  }
}

function mapGlue(root: Obj, file: ParsedFile, errors: ImportError[], unmapped: Unmapped[]): Obj {
  const note = (path: PathPart[], reason: string) =>
    unmapped.push({
      file: file.path,
      path: path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
        .join('')
        .slice(1),
      reason,
    })
  const num = (v: unknown, path: PathPart[]): number | undefined => {
    if (v === undefined || v === null) return undefined
    if (typeof v === 'number' && v >= 0) return v
    if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v)) return Number(v)
    errors.push(located(file, path, `expected a non-negative number, got ${JSON.stringify(v)}`))
    return undefined
  }
  for (const key of Object.keys(root)) {
    if (!['AdminDomain', 'ComputingService', 'StorageService'].includes(key)) {
      note([key], 'GLUE entity with no catalogue counterpart')
    }
  }

  const domains = list(root.AdminDomain)
  const domain = domains[0]
  if (!domain || typeof domain.Name !== 'string') {
    errors.push(
      located(
        file,
        domain ? ['AdminDomain', 0] : [],
        'an AdminDomain with a Name is needed: it becomes the infrastructure',
      ),
    )
    return {}
  }
  const infra = slug(domain.Name)
  const country = (
    (domain.Location as Obj | undefined)?.Country as string | undefined
  )?.toUpperCase()
  if (!country || !/^[A-Z]{2}$/.test(country)) {
    errors.push(
      located(
        file,
        ['AdminDomain', 0, 'Location'],
        'AdminDomain.Location.Country must be an ISO 3166 alpha-2 code',
      ),
    )
  }
  for (const k of Object.keys(domain)) {
    if (!mappedKeys.AdminDomain.has(k)) note(['AdminDomain', 0, k], 'no catalogue field')
  }
  domains
    .slice(1)
    .forEach((_, i) =>
      note(['AdminDomain', i + 1], 'only the first AdminDomain becomes the infrastructure'),
    )
  const out: Obj = {
    infrastructures: [
      {
        name: infra,
        title: domain.Name,
        kind: 'HTC',
        operator: domain.Name,
        country: country ?? 'EU',
        ...(typeof domain.WWW === 'string' ? { url: domain.WWW } : {}),
        description: typeof domain.Description === 'string' ? domain.Description : '',
      },
    ],
    computeServices: [] as Obj[],
    storageServices: [] as Obj[],
  }

  list(root.ComputingService).forEach((cs, i) => {
    const at: PathPart[] = ['ComputingService', i]
    for (const k of Object.keys(cs)) {
      if (!mappedKeys.ComputingService.has(k)) note([...at, k], 'no catalogue field')
    }
    const managers = list(cs.ComputingManager)
    const mgr = managers[0] ?? {}
    for (const k of Object.keys(mgr)) {
      if (!mappedKeys.ComputingManager.has(k)) {
        note([...at, 'ComputingManager', 0, k], 'no catalogue field')
      }
    }
    const product = str(mgr.ProductName, '').toLowerCase()
    const bs = batch[product]
    if (!bs) {
      errors.push(
        located(
          file,
          [...at, 'ComputingManager', 0, 'ProductName'],
          `unknown batch system '${str(mgr.ProductName, '')}' (known: ${Object.keys(batch).join(', ')})`,
        ),
      )
    }
    const cores =
      num(mgr.TotalLogicalCPUs ?? mgr.TotalPhysicalCPUs, [
        ...at,
        'ComputingManager',
        0,
        'TotalLogicalCPUs',
      ]) ?? 0
    let memPerCore: number | null = null
    list(mgr.ExecutionEnvironment).forEach((ee, j) => {
      const mem = num(ee.MainMemorySize, [
        ...at,
        'ComputingManager',
        0,
        'ExecutionEnvironment',
        j,
        'MainMemorySize',
      ])
      const cpus = num(ee.LogicalCPUs, [
        ...at,
        'ComputingManager',
        0,
        'ExecutionEnvironment',
        j,
        'LogicalCPUs',
      ])
      if (mem !== undefined && cpus) {
        memPerCore = Math.max(memPerCore ?? 0, Number((mem / cpus / 1024).toPrecision(6)))
      }
      for (const k of Object.keys(ee)) {
        if (!['MainMemorySize', 'LogicalCPUs', 'ID', 'Name'].includes(k)) {
          note([...at, 'ComputingManager', 0, 'ExecutionEnvironment', j, k], 'no catalogue field')
        }
      }
    })
    const accelerators = list(mgr.AcceleratorEnvironment).map((ae, j) => ({
      model: `${str(ae.Vendor, '')} ${str(ae.Model, ae.Type, 'accelerator')}`.trim(),
      count:
        num(ae.PhysicalAccelerators, [
          ...at,
          'ComputingManager',
          0,
          'AcceleratorEnvironment',
          j,
          'PhysicalAccelerators',
        ]) ?? 1,
      memoryGB:
        ae.VirtualMemorySize == null
          ? null
          : (num(ae.VirtualMemorySize, [
              ...at,
              'ComputingManager',
              0,
              'AcceleratorEnvironment',
              j,
              'VirtualMemorySize',
            ]) ?? 0) / 1024,
    }))
    let wall: number | null = null
    list(cs.ComputingShare).forEach((sh, j) => {
      const w = num(sh.MaxWallTime, [...at, 'ComputingShare', j, 'MaxWallTime'])
      if (w !== undefined) wall = Math.max(wall ?? 0, w / 3600)
      for (const k of Object.keys(sh)) {
        if (!['MaxWallTime', 'ID', 'Name', 'MappingQueue'].includes(k)) {
          note([...at, 'ComputingShare', j, k], 'no catalogue field')
        }
      }
    })
    list(cs.ComputingEndpoint).forEach((_, j) =>
      note(
        [...at, 'ComputingEndpoint', j],
        'compute endpoints are operational data (see the workflow executors), not catalogue facts',
      ),
    )
    const name = slug(str(cs.Name, cs.ID, `${infra}-compute-${i}`))
    ;(out.computeServices as Obj[]).push({
      name,
      title: str(cs.Name, cs.ID, name),
      infrastructure: infra,
      batchSystem: bs ?? 'local',
      cores: Math.round(cores),
      memoryPerCoreGB: memPerCore,
      accelerators,
      maxWalltimeHours: wall,
      attributes: { glue2_id: str(cs.ID, '').slice(0, 200) },
    })
  })

  list(root.StorageService).forEach((ss, i) => {
    const at: PathPart[] = ['StorageService', i]
    for (const k of Object.keys(ss)) {
      if (!mappedKeys.StorageService.has(k)) note([...at, k], 'no catalogue field')
    }
    const protocols = new Set<string>()
    list(ss.Endpoint ?? ss.StorageEndpoint).forEach((ep, j) => {
      const iface = str(ep.InterfaceName, '').toLowerCase()
      const p = protocol[iface]
      if (p) protocols.add(p)
      else {
        note(
          [...at, ss.Endpoint ? 'Endpoint' : 'StorageEndpoint', j, 'InterfaceName'],
          `interface '${iface}' is not one of posix, https, davs, root, s3`,
        )
      }
    })
    const base = slug(str(ss.Name, ss.ID, `${infra}-storage-${i}`))
    const caps = list(ss.StorageServiceCapacity)
    if (caps.length === 0) caps.push({ Type: 'online' })
    caps.forEach((cap, j) => {
      const media = str(cap.Type, 'online') === 'nearline' ? 'tape' : 'disk'
      const total = num(cap.TotalSize, [...at, 'StorageServiceCapacity', j, 'TotalSize'])
      if (!['online', 'nearline'].includes(str(cap.Type, 'online'))) {
        note(
          [...at, 'StorageServiceCapacity', j, 'Type'],
          `capacity type '${String(cap.Type)}' not mapped`,
        )
      }
      ;(out.storageServices as Obj[]).push({
        name: caps.length > 1 ? `${base}-${media}`.slice(0, 63) : base,
        title: str(ss.Name, base),
        infrastructure: infra,
        media,
        protocols: protocols.size ? [...protocols].sort() : ['posix'],
        capacityTB: total === undefined ? null : total / 1000,
        attributes: { glue2_id: str(ss.ID, '').slice(0, 200) },
      })
    })
    if (protocols.size === 0) note([...at], 'no endpoint with a known interface: assumed posix')
  })
  return out
}
