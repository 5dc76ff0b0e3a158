/**
 * Container images on a local site (issue 18): a task's `image:` runs inside that image's root
 * file system — unpacked once from the site's image store (OCI layout or archive) — confined as
 * any local job (bubblewrap, the job's account, its folder only). A missing image fails the task
 * with the reason, at once; a site without a store refuses images.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, it } from 'node:test'
import { LocalExecutor, type JobSpec } from '../src/executors/index.js'
import { buildImage, imageSkipReason } from './support/oci-image.js'

const skip = imageSkipReason()

async function run(executor: LocalExecutor, job: JobSpec) {
  await executor.submit(job)
  for (;;) {
    const status = (await executor.status([{ attemptId: job.attemptId, externalId: null }])).get(
      job.attemptId,
    )
    if (status && (status.state === 'done' || status.state === 'failed')) {
      const logs = await executor.logs({ attemptId: job.attemptId, externalId: null })
      return { ...status, out: logs.stdout, err: logs.stderr }
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

let n = 0
function job(image: string | null, script: string, workdir: string): JobSpec {
  return {
    attemptId: `image-${process.pid}-${++n}.1`,
    argv: ['/bin/sh', '-c', script],
    env: {},
    workdir,
    cores: 1,
    memoryMb: 64,
    walltimeS: 60,
    image,
  }
}

describe('container images on a local site', { skip }, () => {
  const store = mkdtempSync(path.join(os.tmpdir(), 'continuum-images-'))
  if (!skip) {
    buildImage(store, 'tiny', '1.0', 'tiny image 1.0')
    buildImage(store, 'lofar/tools', 'v2', 'lofar tools v2', { archive: true })
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'continuum-image-runs-'))
  const executor = new LocalExecutor({ root, cores: 2, memoryMb: 1024, images: store })

  it('runs the command inside the image, as the job account, writing only its folder', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'continuum-image-task-'))
    writeFileSync(path.join(work, 'in.txt'), 'three words here\n')
    const script = [
      'cat /etc/image-release',
      'test -e /usr/bin/node && echo HOST-VISIBLE',
      'test -e /etc/passwd && echo HOST-ETC',
      'echo "uid=$(id -u)"',
      'wc -w < in.txt > out.txt',
      '(echo x > /etc/written) 2>/dev/null && echo IMAGE-WRITTEN',
      'true',
    ].join('; ')
    const result = await run(executor, {
      ...job('docker://tiny:1.0', script, work),
      inputs: ['in.txt'],
    })
    assert.equal(result.state, 'done', result.err)
    assert.match(result.out, /^tiny image 1\.0$/m)
    assert.doesNotMatch(result.out, /HOST-VISIBLE|HOST-ETC/, "the host's system is not the job's")
    assert.doesNotMatch(result.out, /IMAGE-WRITTEN/, 'the image is read-only')
    if (process.getuid?.() === 0) assert.match(result.out, /uid=65534/)
    assert.equal(readFileSync(path.join(work, 'out.txt'), 'utf8').trim(), '3')
  })

  it('reads an OCI archive from the store, and unpacks each image once for concurrent jobs', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'continuum-image-task-'))
    const results = await Promise.all(
      [1, 2, 3].map(() => run(executor, job('lofar/tools:v2', 'cat /etc/image-release', work))),
    )
    for (const r of results) {
      assert.equal(r.state, 'done', r.err)
      assert.equal(r.out.trim(), 'lofar tools v2')
    }
    const roots = readdirSync(path.join(root, '.images', 'roots'))
    assert.equal(roots.filter((r) => r.startsWith('sha256-') && !r.endsWith('.tmp')).length, 2)
  })

  it('fails a task whose image or tag is not in the store, with the reason, without running it', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'continuum-image-task-'))
    const missing = await run(executor, job('alpine:3.19', 'echo RAN > ran.txt', work))
    assert.equal(missing.state, 'failed')
    assert.match(missing.reason ?? '', /image alpine:3\.19: not in the site's image store/)
    const tag = await run(executor, job('tiny:2.0', 'echo RAN', work))
    assert.equal(tag.state, 'failed')
    assert.match(tag.reason ?? '', /tag 2\.0 is not in the image store/)
    const tricky = await run(executor, job('../../etc:1', 'echo RAN', work))
    assert.match(tricky.reason ?? '', /not an image reference/)
    assert.deepEqual(readdirSync(work), [], 'nothing ran')
  })

  it('refuses images on a site without an image store', async () => {
    const plain = new LocalExecutor({
      root: mkdtempSync(path.join(os.tmpdir(), 'continuum-image-runs-')),
      cores: 1,
      memoryMb: 256,
    })
    const work = mkdtempSync(path.join(os.tmpdir(), 'continuum-image-task-'))
    const result = await run(plain, job('tiny:1.0', 'echo RAN', work))
    assert.equal(result.state, 'failed')
    assert.match(result.reason ?? '', /no image store/)
  })
})
