/**
 * Endpoint-expression evaluation over 10,000 endpoints with 20 attributes each: expressions per
 * second with the index built once (what the rule engine does per round), and with a fresh parse
 * of every expression. Side by side: a naive scan per expression (the physical baseline of
 * "look at every endpoint"). Target: ≥ 10,000 typical expressions per second.
 *   node --import tsx bench/expressions.ts
 */
import { EndpointIndex, parseExpression, type ExpressionEndpoint } from '../src/data/index.js'

const countries = [
  'DE',
  'FR',
  'IT',
  'NL',
  'ES',
  'PL',
  'CH',
  'UK',
  'SE',
  'CZ',
  'AT',
  'BE',
  'PT',
  'NO',
  'FI',
  'DK',
  'GR',
  'IE',
  'HU',
  'SI',
]
const endpoints: ExpressionEndpoint[] = Array.from({ length: 10_000 }, (_, i) => {
  const attributes: Record<string, string | number | boolean> = {
    country: countries[i % countries.length]!,
    tier: (i % 3) + 1,
    type: i % 7 === 0 ? 'tape' : 'disk',
    freespace: (i * 37) % 5000,
    site: `SITE${i % 700}`,
    infra: i % 2 ? 'wlcg' : 'srcnet',
    T1: i % 3 === 0,
  }
  for (let k = 0; k < 13; k++) attributes[`attr${k}`] = `v${(i + k) % 10}`
  return { name: `EP${i}`, attributes }
})

const typical = [
  'country=DE&type=disk',
  'tier=1|tier=2',
  'country=DE|country=FR',
  '(country=DE|country=FR)&type=disk\\tier=3',
  'T1&freespace>100',
  'type=disk&freespace>1000&infra=wlcg',
  '*\\type=tape',
  'site=SITE12|site=SITE13',
]

function time(label: string, n: number, fn: (i: number) => void): number {
  fn(0)
  const t0 = performance.now()
  for (let i = 0; i < n; i++) fn(i)
  const perSecond = n / ((performance.now() - t0) / 1000)
  console.log(`${label.padEnd(58)} ${Math.round(perSecond).toLocaleString('en').padStart(10)} /s`)
  return perSecond
}

const t0 = performance.now()
const index = new EndpointIndex(endpoints)
console.log(
  `index build over ${endpoints.length} endpoints x 20 attributes: ${(performance.now() - t0).toFixed(0)} ms`,
)

const ours = time('indexed evaluation, typical expressions (count)', 100_000, (i) =>
  index.count(typical[i % typical.length]!),
)
time('indexed evaluation + materialise the selected endpoints', 20_000, (i) =>
  index.select(typical[i % typical.length]!),
)
time('parse + indexed evaluation, every expression new', 50_000, (i) =>
  index.count(`${typical[i % typical.length]!}|EP${i}`),
)
const naive = time('baseline: parse + naive scan of every endpoint', 500, (i) => {
  const tree = parseExpression(typical[i % typical.length]!)
  let n = 0
  for (const e of endpoints) if (matches(tree, e)) n++
  return n
})
console.log(
  `ratio indexed / naive scan: ${(ours / naive).toFixed(0)}x; target >= 10,000/s: ${ours >= 10_000 ? 'met' : 'NOT met'}`,
)

function matches(node: ReturnType<typeof parseExpression>, e: ExpressionEndpoint): boolean {
  const a = e.attributes
  switch (node.kind) {
    case 'all':
      return true
    case 'name':
      return e.name === node.name || a[node.name] === true
    case 'equals':
      return a[node.key] !== undefined && String(a[node.key]) === node.value
    case 'less':
      return typeof a[node.key] === 'number' && (a[node.key] as number) < node.value
    case 'greater':
      return typeof a[node.key] === 'number' && (a[node.key] as number) > node.value
    case 'op': {
      const l = matches(node.left, e)
      const r = matches(node.right, e)
      return node.op === '&' ? l && r : node.op === '|' ? l || r : l && !r
    }
  }
}
