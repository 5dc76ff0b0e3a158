/**
 * Data: scopes, datasets and files; replicas per endpoint; rules with their state and per-file
 * reasons; storage use per endpoint and quota use as bars.
 */
import { useState } from 'react'
import { type Did, type Endpoint, type Lock, type Quota, type Replica, type Rule } from '../api.js'
import { Bar, Empty, Loaded, Panel, StateBadge } from '../components/ui.js'
import { formatBytes, formatTime } from '../format.js'
import { useSession } from '../session.js'
import { usePoll } from '../use-poll.js'

export function DataView() {
  const { client } = useSession()
  const [scope, setScope] = useState<string>()
  const [did, setDid] = useState<Did>()
  const [ruleId, setRuleId] = useState<string>()
  const scopes = usePoll(() => client.data.listScopes(), 10_000)
  const store = usePoll(async () => {
    const [endpoints, quotas] = await Promise.all([
      client.data.listEndpoints(),
      client.data.listQuotas(),
    ])
    return { endpoints, quotas }
  }, 5_000)
  const rules = usePoll(() => client.data.listRules(), 2_000)
  const activeScope = scope ?? scopes.data?.[0]?.name

  return (
    <>
      <h1 className="page-title">Data federation</h1>
      <div className="grid two">
        <Panel title="Namespace">
          <Loaded data={scopes.data} error={scopes.error}>
            {(list) =>
              list.length === 0 ? (
                <Empty>No scopes yet. Create one with `continuum data scope add`.</Empty>
              ) : (
                <>
                  <label className="field">
                    Scope{' '}
                    <select
                      value={activeScope}
                      onChange={(e) => {
                        setScope(e.target.value)
                        setDid(undefined)
                      }}
                    >
                      {list.map((s) => (
                        <option key={s.name} value={s.name}>
                          {s.name}
                          {s.community ? ` (${s.community})` : ''}
                        </option>
                      ))}
                    </select>
                  </label>
                  {activeScope && <DidList scope={activeScope} selected={did} onSelect={setDid} />}
                </>
              )
            }
          </Loaded>
        </Panel>
        <Panel title={did ? `Replicas of ${did.scope}:${did.name}` : 'Replicas'}>
          {did ? (
            <DidDetail did={did} />
          ) : (
            <Empty>Pick a file or dataset to see its replicas.</Empty>
          )}
        </Panel>
      </div>
      <div className="grid two">
        <Panel title="Storage use per endpoint">
          <Loaded data={store.data} error={store.error}>
            {(s) => <EndpointBars endpoints={s.endpoints} />}
          </Loaded>
        </Panel>
        <Panel title="Quota use">
          <Loaded data={store.data} error={store.error}>
            {(s) => <QuotaBars quotas={s.quotas} />}
          </Loaded>
        </Panel>
      </div>
      <Panel title="Replication rules">
        <Loaded data={rules.data} error={rules.error}>
          {(list) => <RuleTable rules={list} selected={ruleId} onSelect={setRuleId} />}
        </Loaded>
        {ruleId && <RuleLocks id={ruleId} />}
      </Panel>
    </>
  )
}

function DidList(props: { scope: string; selected: Did | undefined; onSelect: (d: Did) => void }) {
  const { client } = useSession()
  const dids = usePoll(
    () => client.data.listDids({ scope: props.scope, limit: 200 }),
    5_000,
    props.scope,
  )
  return (
    <Loaded data={dids.data} error={dids.error}>
      {(page) =>
        page.items.length === 0 ? (
          <Empty>This scope is empty.</Empty>
        ) : (
          <div className="table-scroll tall">
            <table data-testid="did-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col" className="num">
                    Size
                  </th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((d) => (
                  <tr
                    key={d.name}
                    className={props.selected?.name === d.name ? 'selected' : undefined}
                  >
                    <td>
                      <button type="button" className="link" onClick={() => props.onSelect(d)}>
                        {d.name}
                      </button>
                    </td>
                    <td>{d.type}</td>
                    <td className="num">{formatBytes(d.bytes)}</td>
                    <td>{d.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      }
    </Loaded>
  )
}

function DidDetail({ did }: { did: Did }) {
  const { client } = useSession()
  const detail = usePoll(
    async () => {
      const replicas: Replica[] = did.type === 'file' ? await client.data.listReplicas(did) : []
      const content = did.type === 'file' ? [] : (await client.data.listContent(did)).items
      return { replicas, content }
    },
    3_000,
    `${did.scope}:${did.name}`,
  )
  return (
    <Loaded data={detail.data} error={detail.error}>
      {({ replicas, content }) =>
        did.type === 'file' ? (
          replicas.length === 0 ? (
            <Empty>No replica yet.</Empty>
          ) : (
            <table data-testid="replica-table">
              <thead>
                <tr>
                  <th scope="col">Endpoint</th>
                  <th scope="col">State</th>
                  <th scope="col" className="num">
                    Size
                  </th>
                  <th scope="col">adler32</th>
                  <th scope="col" className="num">
                    Locks
                  </th>
                </tr>
              </thead>
              <tbody>
                {replicas.map((r) => (
                  <tr key={r.endpoint}>
                    <td>{r.endpoint}</td>
                    <td>
                      <StateBadge state={r.state} />
                    </td>
                    <td className="num">{formatBytes(r.bytes)}</td>
                    <td>
                      <code>{r.adler32 ?? '—'}</code>
                    </td>
                    <td className="num">{r.lockCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        ) : (
          <>
            <p className="muted small">
              {did.type} with {content.length} member{content.length === 1 ? '' : 's'}
            </p>
            <ul className="plain">
              {content.map((c) => (
                <li key={`${c.scope}:${c.name}`}>
                  {c.scope}:{c.name} <span className="muted small">{c.type}</span>
                </li>
              ))}
            </ul>
          </>
        )
      }
    </Loaded>
  )
}

function EndpointBars({ endpoints }: { endpoints: Endpoint[] }) {
  if (endpoints.length === 0) return <Empty>No storage endpoints.</Empty>
  const maxUsed = Math.max(1, ...endpoints.map((e) => e.usedBytes))
  return (
    <div data-testid="endpoint-bars">
      {endpoints.map((e) => (
        <Bar
          key={e.id}
          label={
            <>
              {e.name}{' '}
              <span className="muted small">
                {Object.entries(e.attributes)
                  .filter(([k]) => k === 'country' || k === 'type')
                  .map(([, v]) => v)
                  .join(' · ')}
              </span>
            </>
          }
          value={e.usedBytes}
          max={e.capacityBytes ?? maxUsed}
          tone={e.capacityBytes == null ? 'busy' : undefined}
          text={`${formatBytes(e.usedBytes)} / ${e.capacityBytes == null ? 'no limit' : formatBytes(e.capacityBytes)}`}
        />
      ))}
    </div>
  )
}

function QuotaBars({ quotas }: { quotas: Quota[] }) {
  if (quotas.length === 0) return <Empty>No quotas set (`continuum data quota set`).</Empty>
  return (
    <div>
      {quotas.map((q) => (
        <Bar
          key={`${q.owner}@${q.endpoint}`}
          label={`${q.owner} @ ${q.endpoint}`}
          value={q.usedBytes}
          max={q.bytes}
          text={`${formatBytes(q.usedBytes)} / ${formatBytes(q.bytes)}`}
        />
      ))}
    </div>
  )
}

function RuleTable(props: {
  rules: Rule[]
  selected: string | undefined
  onSelect: (id: string) => void
}) {
  if (props.rules.length === 0) {
    return <Empty>No replication rules (`continuum data rule add`).</Empty>
  }
  return (
    <div className="table-scroll tall">
      <table data-testid="rule-table">
        <thead>
          <tr>
            <th scope="col">Data</th>
            <th scope="col">Where</th>
            <th scope="col" className="num">
              Copies
            </th>
            <th scope="col">State</th>
            <th scope="col">Files ok / replicating / stuck</th>
            <th scope="col">Account</th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          {props.rules.map((r) => (
            <tr
              key={r.id}
              className={props.selected === r.id ? 'selected' : undefined}
              data-rule={r.id}
            >
              <td>
                <button type="button" className="link" onClick={() => props.onSelect(r.id)}>
                  {r.scope}:{r.name}
                </button>
              </td>
              <td>
                <code>{r.expression}</code>
              </td>
              <td className="num">{r.copies}</td>
              <td data-testid="rule-state">
                <StateBadge state={r.state} />
              </td>
              <td>
                <span className="tone-text-good">{r.locksOk}</span> /{' '}
                <span className="tone-text-busy">{r.locksReplicating}</span> /{' '}
                <span className="tone-text-bad">{r.locksStuck}</span>
              </td>
              <td>{r.account}</td>
              <td>{formatTime(r.expiresAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function RuleLocks({ id }: { id: string }) {
  const { client } = useSession()
  const locks = usePoll<Lock[]>(() => client.data.listRuleLocks(id), 2_000, id)
  return (
    <div className="sub-panel">
      <h3>Files of the rule</h3>
      <Loaded data={locks.data} error={locks.error}>
        {(list) => (
          <table data-testid="lock-table">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Endpoint</th>
                <th scope="col">State</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {list.map((l) => (
                <tr key={`${l.scope}:${l.name}@${l.endpoint}`}>
                  <td>
                    {l.scope}:{l.name}
                  </td>
                  <td>{l.endpoint}</td>
                  <td>
                    <StateBadge state={l.state} />
                  </td>
                  <td className="num">{formatBytes(l.bytes)}</td>
                  <td className="small">{l.reason ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </div>
  )
}
