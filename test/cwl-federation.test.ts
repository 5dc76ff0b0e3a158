/**
 * CWL Files from the data federation (issue 19, part 3): a CWL scatter workflow reads a
 * federation dataset whose files lie on storage near two different compute sites; run through
 * the real `continuum workflow run … --watch`, its tasks land each next to its file (so on both
 * sites), the tool sees each file as a normal local File (name, size, bytes), and the outputs
 * are registered into a scope with a rule and their checksums. Refused up front: a scope the
 * caller may not read, an unknown identifier, an output scope they may not write, bad names; a
 * name clash at registration fails the workflow and registers none of its files. A CWL task
 * cannot replace the server's records in the workflow folder. Both backends.
 */
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { after, before, it } from 'node:test'
import type { ContinuumClient } from '../src/client/index.js'
import type { Endpoint } from '../src/contract/index.js'
import { runAgents, silentLogger, systemClock } from '../src/platform/index.js'
import { digestOf } from '../src/transfers/index.js'
import { addInfrastructure, addRecord } from '../src/catalog/index.js'
import { FederationStaging, WorkflowEngine } from '../src/workflows/index.js'
import { rejectsWith } from './support/assert-error.js'
import { describeEachBackend } from './support/backends.js'
import { runCli } from './support/cli.js'
import { makeCommunity, uniqueName } from './support/factories.js'
import { bytesOf, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { startTestServer, type TestServer } from './support/server.js'
import { runUntilFinished, tempDir } from './support/workflows.js'

const workflow = `cwlVersion: v1.2
class: Workflow
requirements:
  ScatterFeatureRequirement: {}
inputs:
  data: File[]
outputs:
  counts:
    type: File[]
    outputSource: count/out
steps:
  count:
    run: count.cwl
    scatter: data
    in: {data: data}
    out: [out]
`
// The tool prints the File's basename and size as CWL gives them, and the bytes it reads.
const tool = `cwlVersion: v1.2
class: CommandLineTool
baseCommand: [sh, -c, 'printf "%s %s %s\\n" "$0" "$1" "$(wc -c < "$2")"']
arguments: [$(inputs.data.basename), $(inputs.data.size), $(inputs.data.path)]
inputs:
  data: File
stdout: $(inputs.data.nameroot).count
outputs:
  out: stdout
`

describeEachBackend('CWL files from the federation', (fixture) => {
  let server: TestServer
  let radio: ContinuumClient
  let other: ContinuumClient
  let storage: TempStorage
  const endpoints: Endpoint[] = []
  const sites = [uniqueName('cwl-site-a'), uniqueName('cwl-site-b')]
  const community = uniqueName('radio')
  const outsider = uniqueName('optical')
  const scope = uniqueName('obs').slice(0, 25)
  const outScope = uniqueName('res').slice(0, 25)
  const otherScope = uniqueName('opt').slice(0, 25)
  const names = ['f0.dat', 'f1.dat', 'f2.dat', 'f3.dat']
  const content = (i: number) => Buffer.from(`visibilities ${i}\n`.repeat(i + 1))

  before(async () => {
    server = await startTestServer(fixture().database)
    const admin = server.client
    const { ctx } = fixture()
    for (const name of [community, outsider]) {
      await admin.catalog.addCommunity(makeCommunity({ name }))
    }
    storage = tempStorage()
    // Two compute services of the catalogue at two sites, each bound to the local executor with
    // its own storage endpoint near it.
    const infrastructure = uniqueName('infra')
    await addInfrastructure(ctx, {
      name: infrastructure,
      title: 'Radio centre',
      kind: 'HPC',
      operator: 'Test',
      country: 'NL',
      url: 'https://example.org',
    })
    for (const site of sites) {
      await addRecord(ctx, 'site', { name: site, title: site, infrastructure, country: 'NL' })
      await addRecord(ctx, 'computeService', {
        name: site,
        title: site,
        infrastructure,
        site,
        batchSystem: 'local',
        cores: 2,
        memoryPerCoreGB: 2,
      })
      const endpoint = await storage.add(ctx, {})
      endpoints.push(endpoint)
      await admin.sites.add({
        service: site,
        executor: 'local',
        root: tempDir('continuum-runs-'),
        nearEndpoints: [endpoint.name],
      })
    }
    await admin.data.addScope({ name: scope, community })
    await admin.data.addScope({ name: outScope, community })
    await admin.data.addScope({ name: otherScope, community: outsider })
    radio = await server.clientAs({ sub: 'radio-user', groups: [`/${community}`] })
    other = await server.clientAs({ sub: 'optical-user', groups: [`/${outsider}`] })
    // Four files, two on the storage of each site, in one dataset.
    for (const [i, name] of names.entries()) {
      const bytes = content(i)
      await radio.data.upload({ scope, name }, bytes, {
        to: endpoints[i < 2 ? 0 : 1]!.name,
        bytes: bytes.length,
      })
    }
    await radio.data.addDid({ scope, name: 'run1', type: 'dataset' })
    await radio.data.attach(
      { scope, name: 'run1' },
      names.map((name) => ({ scope, name })),
    )
  })
  after(async () => {
    await server?.close()
    storage?.cleanup()
  })

  const engine = () =>
    new WorkflowEngine(
      { ...fixture().ctx, clock: systemClock },
      {
        workerId: uniqueName('cwl-fed'),
        idleMs: 20,
        staging: new FederationStaging(fixture().ctx),
      },
    )

  const files = (dir: string, job: string) => {
    writeFileSync(path.join(dir, 'wf.cwl'), workflow)
    writeFileSync(path.join(dir, 'count.cwl'), tool)
    writeFileSync(path.join(dir, 'job.yml'), job)
    return { wf: path.join(dir, 'wf.cwl'), job: path.join(dir, 'job.yml') }
  }

  it('runs a scatter over a federation dataset on both sites, next to the data, and registers its outputs', async () => {
    const agents = runAgents([engine()], silentLogger)
    try {
      const dir = tempDir('continuum-cwl-fed-')
      const doc = files(dir, `data:\n  class: Directory\n  location: did:${scope}:run1\n`)
      const outdir = tempDir('continuum-cwl-fed-out-')
      const token = await server.mintToken({ sub: 'radio-user', groups: [`/${community}`] })
      const rule = `${endpoints[0]!.name}|${endpoints[1]!.name}`
      const run = await runCli([
        '--server',
        server.url,
        '--token',
        token,
        '--json',
        'workflow',
        'run',
        doc.wf,
        doc.job,
        '--watch',
        '--outdir',
        outdir,
        '--register-outputs',
        outScope,
        '--rule',
        rule,
      ])
      assert.equal(run.code, 0, run.stderr + run.stdout)
      const result = JSON.parse(run.stdout) as {
        workflow: { id: string; state: string }
        output: { counts: Array<{ path: string; location: string; checksum: string }> }
      }
      assert.equal(result.workflow.state, 'succeeded')
      // Each task ran on the site whose storage holds its file: both sites were used.
      const tasks = (await radio.workflows.tasks(result.workflow.id)).items
      const siteOf = (name: string) => tasks.find((t) => t.name === name)?.site
      assert.deepEqual(
        [0, 1, 2, 3].map((i) => siteOf(`count[${i}]`)),
        [sites[0], sites[0], sites[1], sites[1]],
      )
      // The tool saw a local File: the federation's name and size, and the bytes themselves.
      const counts = result.output.counts
      assert.equal(counts.length, 4)
      for (const [i, out] of counts.entries()) {
        const size = content(i).length
        assert.equal(readFileSync(out.path, 'utf8'), `${names[i]} ${size} ${size}\n`)
        // Registered into the output scope, by name, with the checksum of its bytes.
        const name = `f${i}.count`
        assert.equal(out.location, `did:${outScope}:${name}`)
        const did = await radio.data.getDid({ scope: outScope, name })
        const local = await digestOf(bytesOf(readFileSync(out.path)))
        assert.equal(did.adler32, local.adler32)
        assert.equal(did.bytes, readFileSync(out.path).length)
        const replicas = await radio.data.listReplicas({ scope: outScope, name })
        // Uploaded to the storage of the site that made it.
        assert.deepEqual(
          replicas.map((r) => r.endpoint),
          [endpoints[i < 2 ? 0 : 1]!.name],
        )
        const downloaded = await radio.data.download({ scope: outScope, name })
        assert.equal(
          Buffer.from(await downloaded.response.arrayBuffer()).toString(),
          readFileSync(out.path, 'utf8'),
        )
      }
      // The rule asked for is on each output (besides the one the upload keeps it by).
      const rules = await radio.data.listRules()
      assert.deepEqual(
        rules
          .filter((r) => r.scope === outScope && r.expression === rule)
          .map((r) => r.name)
          .sort(),
        names.map((n) => n.replace('.dat', '.count')),
      )
    } finally {
      await agents.stop()
    }
  })

  it('runs `continuum cwl-runner --server URL` through the server, with the protocol exit codes', async () => {
    const agents = runAgents([engine()], silentLogger)
    try {
      const dir = tempDir('continuum-cwl-remote-')
      const doc = files(dir, `data:\n  - {class: File, location: "did:${scope}:f2.dat"}\n`)
      const outdir = tempDir('continuum-cwl-remote-out-')
      const token = await server.mintToken({ sub: 'radio-user', groups: [`/${community}`] })
      const runner = (...args: string[]) =>
        runCli([
          'cwl-runner',
          '--server',
          server.url,
          '--token',
          token,
          '--quiet',
          '--outdir',
          outdir,
          ...args,
        ])
      const ok = await runner(doc.wf, doc.job)
      assert.equal(ok.code, 0, ok.stderr)
      // stdout holds the output object only, its files in --outdir.
      const out = JSON.parse(ok.stdout) as { counts: Array<{ path: string }> }
      const size = content(2).length
      assert.equal(out.counts.length, 1)
      assert.ok(out.counts[0]!.path.startsWith(outdir))
      assert.equal(readFileSync(out.counts[0]!.path, 'utf8'), `f2.dat ${size} ${size}\n`)
      // `--remote`: the server and token the CLI is configured with (here: its environment).
      const configured = await runCli(
        ['cwl-runner', '--remote', '--quiet', '--outdir', outdir, doc.wf, doc.job],
        { CONTINUUM_SERVER: server.url, CONTINUUM_TOKEN: token },
      )
      assert.equal(configured.code, 0, configured.stderr)
      assert.deepEqual(JSON.parse(configured.stdout), out)
      const write = (name: string, text: string) => {
        writeFileSync(path.join(dir, name), text)
        return path.join(dir, name)
      }
      const head = 'cwlVersion: v1.2\nclass: CommandLineTool\ninputs: []\noutputs: []\n'
      const failed = await runner(write('fail.cwl', `${head}baseCommand: [sh, -c, "exit 3"]\n`))
      assert.equal(failed.code, 1, failed.stderr)
      assert.equal(failed.stdout, '')
      const unsupported = await runner(
        write(
          'odd.cwl',
          `${head}baseCommand: ["true"]\nrequirements:\n  FrobnicateRequirement: {}\n`,
        ),
      )
      assert.equal(unsupported.code, 33, unsupported.stderr)
      // An input object that does not fit the document's types.
      const typed = write(
        'typed.cwl',
        `${head.replace('inputs: []', 'inputs:\n  n: int')}baseCommand: ["true"]\n`,
      )
      const invalid = await runner(typed, write('typed.yml', 'n: a word\n'))
      assert.equal(invalid.code, 2, invalid.stderr)
    } finally {
      await agents.stop()
    }
  })

  it('takes a did: File as an input default, with its name, size and checksum from the catalogue', async () => {
    const withDefault = `cwlVersion: v1.2
class: CommandLineTool
baseCommand: [sh, -c, 'printf "%s %s %s %s\\n" "$0" "$1" "$2" "$(wc -c < "$3")"']
arguments: [$(inputs.data.basename), $(inputs.data.size), $(inputs.data.checksum), $(inputs.data.path)]
inputs:
  data:
    type: File
    default: {class: File, location: "did:${scope}:f1.dat"}
stdout: out.txt
outputs:
  out: stdout
`
    const wf = await radio.workflows.submit({ source: withDefault, filename: 'default.cwl' })
    const end = await runUntilFinished({ ...fixture().ctx, clock: systemClock }, [engine()], wf.id)
    assert.equal(end.state, 'succeeded')
    const { output } = await radio.workflows.cwlOutput(wf.id)
    const out = output.out as { path: string }
    const text = await radio.workflows.file(wf.id, out.path)
    const size = content(1).length
    const { adler32 } = await radio.data.getDid({ scope, name: 'f1.dat' })
    assert.equal(
      Buffer.from(text.content, 'base64').toString(),
      `f1.dat ${size} adler32$${adler32} ${size}\n`,
    )
    // Placed where the file is: the broker weighed its locality.
    const explained = await radio.workflows.explain(wf.id, 'run')
    assert.equal(explained.task.site, sites[0])
    assert.match(
      explained.placement.find((d) => d.site === sites[0])?.reasons.join(' ') ?? '',
      /data locality: 100% of \d+ input bytes near the site/,
    )
  })

  it('refuses a scope the caller may not read, an unknown identifier and bad names, storing nothing', async () => {
    const submit = (client: ContinuumClient, job: string, extra = {}) =>
      client.workflows.submit({ source: tool, filename: 'count.cwl', cwlJob: job, ...extra })
    const before = (await other.workflows.list()).items.length
    await rejectsWith(
      submit(other, `data: {class: File, location: "did:${scope}:f0.dat"}`),
      'SCOPE_NOT_FOUND',
    )
    assert.equal((await other.workflows.list()).items.length, before)
    const mine = (await radio.workflows.list()).items.length
    await rejectsWith(
      submit(radio, `data: {class: File, location: "did:${scope}:no-such.dat"}`),
      'DID_NOT_FOUND',
    )
    await rejectsWith(
      submit(radio, `data: {class: File, location: "did:${scope}:../etc"}`),
      'WORKFLOW_INVALID',
    )
    // A dataset given as a File, a file as a Directory.
    await rejectsWith(
      submit(radio, `data: {class: File, location: "did:${scope}:run1"}`),
      'WORKFLOW_INVALID',
    )
    // An output scope the caller may not write, or a bad scope or rule.
    await rejectsWith(
      submit(radio, `data: {class: File, location: "did:${scope}:f0.dat"}`, {
        cwlRegisterOutputs: { scope: otherScope },
      }),
      'SCOPE_NOT_FOUND',
    )
    await rejectsWith(
      submit(radio, `data: {class: File, location: "did:${scope}:f0.dat"}`, {
        cwlRegisterOutputs: { scope: '../x' },
      }),
      'VALIDATION_FAILED',
    )
    await rejectsWith(
      submit(radio, `data: {class: File, location: "did:${scope}:f0.dat"}`, {
        cwlRegisterOutputs: { scope: outScope, rule: 'a|' },
      }),
      'VALIDATION_FAILED',
    )
    assert.equal((await radio.workflows.list()).items.length, mine)
  })

  it('fails a registration whose names clash or are bad, registering none of its files', async () => {
    const fresh = `${uniqueName('fresh')}.txt`
    const clash = `${uniqueName('taken')}.txt`
    await radio.data.upload({ scope: outScope, name: clash }, Buffer.from('old\n'), {
      to: endpoints[0]!.name,
      bytes: 4,
    })
    const wf = await radio.workflows.submit({
      source: `cwlVersion: v1.2
class: CommandLineTool
baseCommand: [sh, -c, 'echo a > ${fresh}; echo b > ${clash}; echo c > "bad name.txt"']
inputs: []
outputs:
  a: {type: File, outputBinding: {glob: ${fresh}}}
  b: {type: File, outputBinding: {glob: ${clash}}}
  c: {type: File, outputBinding: {glob: bad name.txt}}
`,
      filename: 'two.cwl',
      cwlRegisterOutputs: { scope: outScope },
    })
    const end = await runUntilFinished({ ...fixture().ctx, clock: systemClock }, [engine()], wf.id)
    assert.equal(end.state, 'failed')
    const register = (await radio.workflows.tasks(wf.id)).items.find(
      (t) => t.name === 'register-outputs',
    )
    // Each file with its code: the taken name, and one the identifier grammar refuses.
    assert.match(register?.reason ?? '', /DID_ALREADY_EXISTS: .*exists already/)
    assert.match(register?.reason ?? '', /bad name\.txt: DID_INVALID/)
    await rejectsWith(radio.data.getDid({ scope: outScope, name: fresh }), 'DID_NOT_FOUND')
  })

  it("keeps a CWL task from replacing the server's records in the workflow folder", async () => {
    // The tool writes over `.cwl/` (where the server keeps its plan and the steps' outputs) and
    // over another step's folder; only its own folder is moved back after the attempt.
    const wf = await radio.workflows.submit({
      source: `cwlVersion: v1.2
class: CommandLineTool
baseCommand: [sh, -c]
arguments:
  - 'mkdir -p ../../../../.cwl/outputs ../../../../cwl/other; echo forged > ../../../../.cwl/plan.json; echo forged > ../../../../cwl/other/x; echo ok > mine.txt'
inputs: []
outputs:
  mine: {type: File, outputBinding: {glob: mine.txt}}
`,
      filename: 'forge.cwl',
    })
    const end = await runUntilFinished({ ...fixture().ctx, clock: systemClock }, [engine()], wf.id)
    assert.equal(end.state, 'succeeded')
    const { output } = await radio.workflows.cwlOutput(wf.id)
    const mine = output.mine as { path: string }
    const text = await radio.workflows.file(wf.id, mine.path)
    assert.equal(Buffer.from(text.content, 'base64').toString(), 'ok\n')
    await rejectsWith(radio.workflows.file(wf.id, 'cwl/other/x'), 'REFERENCE_NOT_FOUND')
    const { workdir } = await radio.workflows.get(wf.id)
    assert.match(readFileSync(path.join(workdir, '.cwl', 'plan.json'), 'utf8'), /"document"/)
  })
})
