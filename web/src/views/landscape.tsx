/**
 * Landscape: the European infrastructures by kind and country, their services and capabilities,
 * and their access policies side by side (D5.1 / D5.2 of SPECTRUM).
 */
import { useMemo, useState } from 'react'
import {
  listAll,
  type AccessPolicy,
  type ComputeService,
  type Infrastructure,
  type Site,
  type StorageService,
} from '../api.js'
import { EuropeMap } from '../components/europe-map.js'
import { Choice, Figure, Loaded, Panel, StateBadge } from '../components/ui.js'
import { formatNumber } from '../format.js'
import { useSession } from '../session.js'
import { usePoll } from '../use-poll.js'

interface Landscape {
  infrastructures: Infrastructure[]
  sites: Site[]
  compute: ComputeService[]
  storage: StorageService[]
  policies: AccessPolicy[]
}

const kinds = ['all', 'HPC', 'HTC', 'Cloud', 'Data'] as const
type KindFilter = (typeof kinds)[number]

export function LandscapeView() {
  const { client } = useSession()
  const landscape = usePoll<Landscape>(async () => {
    const [infrastructures, sites, compute, storage, policies] = await Promise.all([
      listAll((q) => client.catalog.listInfrastructures(q)),
      listAll((q) => client.landscape.sites.list(q)),
      listAll((q) => client.landscape.computeServices.list(q)),
      listAll((q) => client.landscape.storageServices.list(q)),
      listAll((q) => client.landscape.accessPolicies.list(q)),
    ])
    return { infrastructures, sites, compute, storage, policies }
  }, 30_000)
  return (
    <>
      <h1 className="page-title">European landscape</h1>
      <Loaded data={landscape.data} error={landscape.error}>
        {(l) => <LandscapeBody landscape={l} />}
      </Loaded>
    </>
  )
}

function LandscapeBody({ landscape }: { landscape: Landscape }) {
  const [kind, setKind] = useState<KindFilter>('all')
  const [country, setCountry] = useState<string>()
  const { infrastructures, sites, compute, storage, policies } = landscape
  const byKind = (i: Infrastructure) => kind === 'all' || i.kind === kind
  const counts = useMemo(() => {
    const c: Record<string, number> = {}
    for (const i of infrastructures) {
      if (kind === 'all' || i.kind === kind) c[i.country] = (c[i.country] ?? 0) + 1
    }
    return c
  }, [infrastructures, kind])
  const shown = infrastructures.filter((i) => byKind(i) && (!country || i.country === country))
  const kindCount = (k: string) => infrastructures.filter((i) => i.kind === k).length
  const cores = compute.reduce((sum, c) => sum + c.cores, 0)
  const gpus = compute.reduce((sum, c) => sum + c.accelerators.reduce((s, a) => s + a.count, 0), 0)
  const countries = new Set(infrastructures.map((i) => i.country)).size
  return (
    <>
      <div className="figures">
        <Figure label="infrastructures" value={infrastructures.length} testId="infra-count" />
        <Figure label="countries" value={countries} />
        <Figure label="sites" value={sites.length} testId="site-count" />
        <Figure label="compute services" value={compute.length} testId="compute-count" />
        <Figure label="storage services" value={storage.length} testId="storage-count" />
        <Figure label="access policies" value={policies.length} testId="policy-count" />
        <Figure label="CPU cores" value={formatNumber(cores)} />
        <Figure label="accelerators" value={formatNumber(gpus)} />
      </div>
      <div className="grid two">
        <Panel
          title="Infrastructures by country"
          actions={
            <Choice
              label="Kind of infrastructure"
              options={kinds}
              value={kind}
              onChange={setKind}
              render={(k) => (k === 'all' ? 'All' : `${k} (${kindCount(k)})`)}
            />
          }
        >
          <EuropeMap counts={counts} selected={country} onSelect={setCountry} />
        </Panel>
        <Panel
          title={country ? `Infrastructures in ${country}` : 'Infrastructures'}
          actions={
            country && (
              <button type="button" className="chip" onClick={() => setCountry(undefined)}>
                Show all countries
              </button>
            )
          }
        >
          <div className="table-scroll tall">
            <table data-testid="infra-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Country</th>
                  <th scope="col">Operator</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((i) => (
                  <tr key={i.id}>
                    <td>
                      <strong>{i.title}</strong>
                      <div className="muted small">{i.name}</div>
                    </td>
                    <td>
                      <span className={`kind kind-${i.kind.toLowerCase()}`}>{i.kind}</span>
                    </td>
                    <td>{i.country}</td>
                    <td>{i.operator}</td>
                    <td>
                      <StateBadge state={i.status} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>
      </div>
      <Services compute={compute} storage={storage} />
      <Policies policies={policies} />
    </>
  )
}

function Services({ compute, storage }: { compute: ComputeService[]; storage: StorageService[] }) {
  return (
    <div className="grid two">
      <Panel title="Compute services and capabilities">
        <div className="table-scroll tall">
          <table>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Batch</th>
                <th scope="col" className="num">
                  Cores
                </th>
                <th scope="col">Accelerators</th>
                <th scope="col">Containers</th>
                <th scope="col" className="num">
                  Max wall
                </th>
              </tr>
            </thead>
            <tbody>
              {compute.map((c) => (
                <tr key={c.id}>
                  <td>
                    <strong>{c.title}</strong>
                    <div className="muted small">{c.infrastructure}</div>
                  </td>
                  <td>{c.batchSystem}</td>
                  <td className="num">{formatNumber(c.cores)}</td>
                  <td>
                    {c.accelerators.map((a) => `${formatNumber(a.count)}× ${a.model}`).join(', ') ||
                      '—'}
                  </td>
                  <td>{c.containerRuntimes.join(', ') || '—'}</td>
                  <td className="num">
                    {c.maxWalltimeHours == null ? '—' : `${c.maxWalltimeHours} h`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      <Panel title="Storage services">
        <div className="table-scroll tall">
          <table>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Protocols</th>
                <th scope="col">Site</th>
              </tr>
            </thead>
            <tbody>
              {storage.map((s) => (
                <tr key={s.id}>
                  <td>
                    <strong>{s.title}</strong>
                    <div className="muted small">{s.infrastructure}</div>
                  </td>
                  <td>{s.protocols.join(', ')}</td>
                  <td>{s.site ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
    </div>
  )
}

const yes = (b: boolean) => (b ? '✓' : '–')

/** Access policies as columns, their properties as rows: the D5.2 comparison at a glance. */
function Policies({ policies }: { policies: AccessPolicy[] }) {
  const rows: [string, (p: AccessPolicy) => string][] = [
    ['Infrastructure', (p) => p.infrastructure],
    [
      'Who may apply',
      (p) =>
        [
          p.eligibility.anyEuropeanResearcher ? 'any European researcher' : '',
          ...p.eligibility.communities,
          ...p.eligibility.vos.map((v) => `VO ${v}`),
          ...(p.eligibility.countries.length ? [`in ${p.eligibility.countries.join('/')}`] : []),
        ]
          .filter(Boolean)
          .join(', ') || '—',
    ],
    ['Allocation unit', (p) => p.allocationUnit ?? '—'],
    ['Typical size', (p) => (p.typicalSize == null ? '—' : formatNumber(p.typicalSize))],
    ['Period', (p) => (p.periodMonths == null ? '—' : `${p.periodMonths} months`)],
    ['Renewable', (p) => yes(p.renewable)],
    ['Multi-year', (p) => yes(p.multiYear)],
    ['Cross-infrastructure', (p) => yes(p.crossInfrastructure)],
    ['Interactive', (p) => yes(p.interactive)],
    ['Unattended workflows', (p) => yes(p.unattendedWorkflows)],
    ['Identity providers', (p) => p.acceptedAai.join(', ') || '—'],
    ['User interfaces', (p) => p.userInterfaces.join(', ') || '—'],
    ['Feedback loop', (p) => yes(p.feedbackLoop)],
  ]
  return (
    <Panel title="Access policies side by side">
      <div className="table-scroll">
        <table className="compare" data-testid="policy-table">
          <thead>
            <tr>
              <th scope="col" className="sticky">
                Policy
              </th>
              {policies.map((p) => (
                <th key={p.id} scope="col" title={p.name}>
                  {p.title}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, value]) => (
              <tr key={label}>
                <th scope="row" className="sticky">
                  {label}
                </th>
                {policies.map((p) => (
                  <td key={p.id}>{value(p)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  )
}
