/**
 * Fuzzing every route of /openapi.json (issue 16): YAML-carrying bodies (alias bombs, deep
 * nesting, duplicate keys, random text), JSON with lone surrogates and odd unicode in keys and
 * values, and unicode in path parameters, all with an admin token so they reach validation and
 * the use cases. No answer may be 5xx.
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import fc from 'fast-check'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

const hostileYaml = [
  'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c]\n',
  `name: deep\nx: ${'['.repeat(300)}${']'.repeat(300)}\n`,
  'name: a\nname: b\n',
  'name: "\\ud800"\ntasks: [{name: t, command: [echo, "\\udfff"]}]\n',
  '%YAML 1.1\n--- !!binary xx\n',
  '? [a, b]\n: c\n',
  '*undefined_alias\n',
  'a: !!js/function "function(){}"\n',
  '\u0000\ufeff\u202e: \ud83d\ude00\n',
]

const weirdText = fc.oneof(
  fc.constantFrom(...hostileYaml),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('\ud800', '\udc00x', 'a\u0000b', '\u202e', '..', '../../etc', '%00', ''),
)

const body = fc.oneof(
  weirdText.map((source) => ({ source, dryRun: true })),
  weirdText.map((content) => ({ files: [{ path: 'f.yaml', content }], dryRun: true })),
  fc.dictionary(weirdText, fc.oneof(weirdText, fc.integer(), fc.constant(null)), {
    maxKeys: 5,
  }),
  fc.record({ name: weirdText, meta: fc.dictionary(weirdText, weirdText, { maxKeys: 3 }) }),
)

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD); some raw bad bytes too. */
function pathParam(text: string, index: number): string {
  if (index % 4 === 3) return '%ED%A0%80%FF%C0%AF'
  const bytes = [...Buffer.from(text.slice(0, 60), 'utf8')]
  return bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join('') || 'x'
}

describeEachBackend('fuzzed bodies on every route', (fixture) => {
  let server: TestServer
  let token: string
  before(async () => {
    server = await startTestServer(fixture().database)
    token = await server.mintToken({ sub: 'fuzz-admin', groups: ['/continuum/admins'] })
  })
  after(async () => server?.close())

  it('answers every fuzzed request below 500', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => ({ path, method: m.toUpperCase() })),
    )
    assert.ok(routes.length > 30)
    const failures: string[] = []
    for (const route of routes) {
      const samples = fc.sample(fc.tuple(body, weirdText), { numRuns: 3 })
      for (const [i, [payload, param]] of samples.entries()) {
        const url = `${server.url}${route.path.replace(/\{\w+\}/g, () => pathParam(param, i))}`
        const hasBody = route.method !== 'GET' && route.method !== 'DELETE'
        // JSON.stringify keeps lone surrogates as \u escapes: the server must refuse them.
        const res = await fetch(url, {
          method: route.method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(hasBody ? { 'content-type': 'application/json' } : {}),
          },
          ...(hasBody ? { body: JSON.stringify(payload) } : {}),
        }).catch((err: unknown) => ({ status: 0, text: () => Promise.resolve(String(err)) }))
        if (res.status >= 500 || res.status === 0) {
          failures.push(
            `${route.method} ${route.path} → ${res.status} ${(await res.text()).slice(0, 200)} for ${JSON.stringify(payload).slice(0, 200)}`,
          )
        }
      }
    }
    assert.deepEqual(failures, [])
  })
})
