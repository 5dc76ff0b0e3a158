/**
 * Hostile volumes at the edge: alias bombs, lone surrogates, huge key counts and deep nesting
 * answer 400/413 with a stable code, at once, and the event loop stays free for others
 * (`/healthz` answers while a refused body is being read; a large catalogue file is parsed on
 * the parse thread).
 */
import assert from 'node:assert/strict'
import { after, before, it } from 'node:test'
import { filesParsedOffThread } from '../src/catalog/catalog-parse-thread.js'
import { describeEachBackend } from './support/backends.js'
import { startTestServer, type TestServer } from './support/server.js'

const bomb = [
  'name: bomb',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'tasks: [{ name: t, command: [echo] }]',
].join('\n')

function manyParameters(n: number): string {
  let y = 'name: wide\nparameters:\n'
  for (let i = 0; i < n; i++) y += `  p${i}: ${i}\n`
  return `${y}tasks:\n  - name: a\n    command: [echo, hi]\n`
}

describeEachBackend('bounded input', (fixture) => {
  let server: TestServer
  let token: string
  before(async () => {
    server = await startTestServer(fixture().database)
    token = await server.mintToken({ sub: 'test-admin', groups: ['/continuum/admins'] })
  })
  after(async () => server?.close())

  const post = async (path: string, body: string) => {
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    })
    return {
      status: res.status,
      body: (await res.json()) as { error?: { code: string; message: string } },
    }
  }

  it('answers 400 INPUT_TOO_COMPLEX to alias bombs on /workflows, /catalog/validate and /catalog/import', async () => {
    const wf = await post('/workflows', JSON.stringify({ source: bomb, dryRun: true }))
    assert.equal(wf.status, 400)
    assert.equal(wf.body.error?.code, 'INPUT_TOO_COMPLEX')
    for (const path of ['/catalog/validate', '/catalog/import']) {
      const res = await post(
        path,
        JSON.stringify({ files: [{ path: 'bomb.yaml', content: bomb }] }),
      )
      assert.equal(res.status, 400, path)
      assert.equal(res.body.error?.code, 'INPUT_TOO_COMPLEX', path)
      assert.match(res.body.error?.message ?? '', /alias/)
    }
  })

  it('answers 400 MALFORMED_REQUEST to a lone UTF-16 surrogate in metadata, and stores nothing', async () => {
    await post('/data/scopes', JSON.stringify({ name: 'surrogates' }))
    const raw = '{"scope":"surrogates","name":"f1","type":"file","meta":{"note":"a\\ud800b"}}'
    const res = await post('/data/dids', raw)
    assert.equal(res.status, 400)
    assert.equal(res.body.error?.code, 'MALFORMED_REQUEST')
    assert.match(res.body.error?.message ?? '', /meta\.note/)
    const read = await fetch(`${server.url}/data/dids/surrogates/f1`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(read.status, 404)
    const lowFirst = await post('/data/dids', raw.replace('\\ud800', '\\udc00'))
    assert.equal(lowFirst.status, 400)
    // A well-formed pair (an emoji) is fine.
    const ok = await post('/data/dids', raw.replace('\\ud800', '\\ud83d\\ude00'))
    assert.equal(ok.status, 201)
  })

  it('refuses a workflow of 10,000 parameter keys at once and keeps /healthz answering', async () => {
    const source = manyParameters(10_000)
    const started = performance.now()
    const [res, health] = await Promise.all([
      post('/workflows', JSON.stringify({ source, dryRun: true })),
      fetch(`${server.url}/healthz`).then((r) => r.status),
    ])
    const ms = performance.now() - started
    assert.equal(res.status, 413)
    assert.equal(res.body.error?.code, 'PAYLOAD_TOO_LARGE')
    assert.equal(health, 200)
    // Issue 16 measured 5.3 s before the limit; refusing costs milliseconds.
    assert.ok(ms < 1000, `took ${ms} ms`)
  })

  it('refuses 10,000 parameters given on submission with a validation error', async () => {
    const parameters = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, 'x']))
    const res = await post(
      '/workflows',
      JSON.stringify({ source: manyParameters(1), parameters, dryRun: true }),
    )
    assert.equal(res.status, 400)
    assert.equal(res.body.error?.code, 'VALIDATION_FAILED')
  })

  it('refuses deeply nested JSON and YAML bodies with INPUT_TOO_COMPLEX', async () => {
    const deepJson = `{"source":${'['.repeat(5000)}${']'.repeat(5000)}}`
    const json = await post('/workflows', deepJson)
    assert.equal(json.status, 400)
    assert.equal(json.body.error?.code, 'INPUT_TOO_COMPLEX')
    const deepYaml = `name: deep\ntasks: [{name: t, command: [echo]}]\ndescription: ${'['.repeat(200)}${']'.repeat(200)}\n`
    const yaml = await post('/workflows', JSON.stringify({ source: deepYaml, dryRun: true }))
    assert.equal(yaml.status, 400)
    assert.equal(yaml.body.error?.code, 'INPUT_TOO_COMPLEX')
  })

  it('reports a duplicate key with its line, as before', async () => {
    const source = 'name: dup\nname: again\ntasks: [{name: t, command: [echo]}]\n'
    const res = await post('/workflows', JSON.stringify({ source, dryRun: true }))
    assert.equal(res.status, 400)
    assert.equal(res.body.error?.code, 'WORKFLOW_INVALID')
    assert.match(res.body.error?.message ?? '', /workflow.yaml:2:1/)
  })

  it('checks a large catalogue file off the event loop, its errors located as in a small one', async () => {
    // ~400 KiB of sites, one with an unknown field near the end: far past what parses in place.
    let content = 'sites:\n'
    for (let i = 0; i < 2000; i++) {
      content += `- name: big-site-${i}\n  title: Site ${i}\n  infrastructure: nowhere\n  country: DE\n  description: ${'a generated site for the parse thread. '.repeat(3)}\n`
    }
    const line = content.split('\n').length
    content += `- name: odd-site\n  title: Odd\n  infrastructure: nowhere\n  country: DE\n  colour: blue\n`
    const before = filesParsedOffThread
    const res = await post(
      '/catalog/validate',
      JSON.stringify({ files: [{ path: 'big.yaml', content }] }),
    )
    assert.equal(res.status, 400)
    assert.equal(filesParsedOffThread, before + 1, 'the large file was parsed on the parse thread')
    // A small file is parsed in place, where a thread would cost more than the parse.
    const small = await post(
      '/catalog/validate',
      JSON.stringify({
        files: [{ path: 'small.yaml', content: 'sites:\n- name: s\n  colour: red\n' }],
      }),
    )
    assert.equal(small.status, 400)
    assert.equal(filesParsedOffThread, before + 1)
    const errors = (res.body.error as { details?: { errors?: Array<{ text: string }> } }).details
      ?.errors
    assert.ok(
      errors?.some(
        (e) => e.text === `big.yaml:${line + 4}:3 sites[2000].colour: unknown field 'colour'`,
      ),
      JSON.stringify(errors?.slice(-2)),
    )
  })

  it('maps a large GLUE 2.0 file on the parse thread, its errors located in the file', async () => {
    const services = Array.from({ length: 400 }, (_, i) =>
      JSON.stringify({
        ID: `urn:ogf:ComputingService:ce${i}.example.org`,
        Name: `ce${i}.example.org`,
        ComputingManager: [
          { ProductName: i === 399 ? 'LoadLeveler' : 'HTCondor', TotalLogicalCPUs: 64 },
        ],
      }),
    )
    const content = `{"AdminDomain":[{"Name":"Big-T2"}],\n"ComputingService":[\n${services.join(',\n')}\n]}`
    assert.ok(content.length > 32 * 1024)
    const before = filesParsedOffThread
    const res = await post(
      '/catalog/validate',
      JSON.stringify({ format: 'glue2', files: [{ path: 'big.json', content }] }),
    )
    assert.equal(res.status, 400)
    assert.equal(filesParsedOffThread, before + 1, 'mapped on the parse thread')
    const errors = (res.body.error as { details?: { errors?: Array<{ text: string }> } }).details
      ?.errors
    assert.ok(
      errors?.some(
        (e) =>
          e.text.startsWith('big.json:402:') &&
          e.text.includes("unknown batch system 'LoadLeveler'"),
      ),
      JSON.stringify(errors),
    )
  })
})
