/**
 * The WebDAV protocol against real XrdHttp servers (xrootd's HTTP door, as WLCG sites run it):
 * endpoint checksums by Want-Digest, HTTP-TPC between two servers, davs:// over TLS with a test
 * CA, roots:// with the same CA; and PUT into missing folders on rclone, which does not make them.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  checksummed,
  copyVerified,
  digestOf,
  PosixProtocol,
  ProtocolRegistry,
  StreamingChecksum,
  WebdavProtocol,
  XrootdProtocol,
  type WriteOptions,
} from '../src/transfers/index.js'
import { rejectsWith } from './support/assert-error.js'
import { bytesOf, randomData, tempStorage, type TempStorage } from './support/posix-endpoints.js'
import { rcloneSkipReason, startRcloneWebdav, type RcloneWebdav } from './support/rclone-webdav.js'
import { startRecordingProxy } from './support/recording-proxy.js'
import { startXrdHttp, xrdhttpSkipReason, type XrdHttpServer } from './support/xrdhttp.js'
import { filesUnder } from './support/xrootd.js'
import { flipByte } from './support/flip-byte.js'

const skip = xrdhttpSkipReason()

/** Flips one byte of each file it wrote, on the server's disk, after the upload succeeded. */
class TamperingWebdav extends WebdavProtocol {
  constructor(
    private readonly server: XrdHttpServer,
    ca: string,
  ) {
    super({ ca })
  }

  override async write(url: string, source: AsyncIterable<Uint8Array>, options?: WriteOptions) {
    await super.write(url, source, options)
    flipByte(path.join(this.server.data, new URL(url).pathname), 10)
  }

  override async uploadFile(localPath: string, url: string, options?: WriteOptions) {
    await super.uploadFile(localPath, url, options)
    flipByte(path.join(this.server.data, new URL(url).pathname), 10)
  }
}

describe('WebDAV against XrdHttp', { skip }, () => {
  let a: XrdHttpServer
  let b: XrdHttpServer
  let storage: TempStorage
  let dav: WebdavProtocol
  let registry: ProtocolRegistry
  before(async () => {
    ;[a, b] = await Promise.all([startXrdHttp(), startXrdHttp()])
    storage = tempStorage()
    dav = new WebdavProtocol({ ca: readFileSync(a.caFile, 'utf8') })
    registry = new ProtocolRegistry([new PosixProtocol(), dav])
  })
  after(async () => {
    storage.cleanup()
    await Promise.all([a.stop(), b.stop()])
  })

  async function sourceFile(name: string, size: number) {
    const data = randomData(size)
    const url = `file://${storage.root}/${name}`
    await registry.for(url).write(url, bytesOf(data))
    return { url, data, expected: await digestOf(bytesOf(data)) }
  }

  it('an upload is verified by the endpoint (Want-Digest), and bytes changed behind its back are caught', async () => {
    const src = await sourceFile('up.bin', 700_000)
    const result = await copyVerified(registry, src.url, `${a.httpUrl}/up/x/y.bin`, src.expected)
    assert.deepEqual(result, { ...src.expected, mode: 'streamed', verifiedBy: 'endpoint' })
    assert.equal(await dav.checksum(`${a.httpUrl}/up/x/y.bin`, 'adler32'), src.expected.adler32)
    assert.deepEqual(readFileSync(path.join(a.data, 'up/x/y.bin')), src.data)

    const tampering = new ProtocolRegistry([
      new PosixProtocol(),
      new TamperingWebdav(a, readFileSync(a.caFile, 'utf8')),
    ])
    await rejectsWith(
      copyVerified(tampering, src.url, `${a.httpUrl}/up/tampered.bin`, src.expected),
      'CHECKSUM_MISMATCH',
    )
    assert.equal(existsSync(path.join(a.data, 'up/tampered.bin')), false)
  })

  it('keeps uploading on the same protocol after an error answer (no poisoned keep-alive connection)', async () => {
    // XrdHttp 5.5 reset the next uploads after a DELETE of a missing file on a reused connection.
    const own = new WebdavProtocol()
    const reg = new ProtocolRegistry([new PosixProtocol(), own])
    const src = await sourceFile('reuse.bin', 8 << 20)
    const base = `${a.httpUrl}/reuse`
    const streamTo = async (name: string) => {
      const sum = await StreamingChecksum.create()
      const source = checksummed(new PosixProtocol().read(src.url), sum)
      await own.write(`${base}/${name}`, source, { bytes: src.data.length })
    }
    await streamTo('a.bin')
    await copyVerified(reg, src.url, `${base}/b.bin`, src.expected)
    await streamTo('c.bin')
    await own.delete(`${base}/d.bin`) // not there yet: 404
    await streamTo('d.bin')
    await streamTo('e.bin')
    for (const name of ['a.bin', 'b.bin', 'c.bin', 'd.bin', 'e.bin']) {
      assert.equal(await own.checksum(`${base}/${name}`, 'adler32'), src.expected.adler32, name)
    }
  })

  it('HTTP-TPC between two servers into a folder that did not exist, verified by the endpoint', async () => {
    const src = await sourceFile('tpc.bin', 1_500_000)
    await dav.write(`${a.httpUrl}/tpc/src.bin`, bytesOf(src.data), { bytes: src.data.length })
    const result = await copyVerified(
      registry,
      `${a.httpUrl}/tpc/src.bin`,
      `${b.httpUrl}/fresh/deeper/dst.bin`,
      src.expected,
      { tpc: 'only' },
    )
    assert.deepEqual(result, { ...src.expected, mode: 'tpc', verifiedBy: 'endpoint' })
    assert.deepEqual(readFileSync(path.join(b.data, 'fresh/deeper/dst.bin')), src.data)
    // Over TLS at both ends: the destination pulls from https, trusting the same test CA.
    const secure = await copyVerified(
      registry,
      `${a.httpsUrl.replace('https:', 'davs:')}/tpc/src.bin`,
      `${b.httpsUrl.replace('https:', 'davs:')}/fresh/tls/dst.bin`,
      src.expected,
      { tpc: 'only' },
    )
    assert.equal(secure.mode, 'tpc')
    assert.deepEqual(readFileSync(path.join(b.data, 'fresh/tls/dst.bin')), src.data)
  })

  it('HTTP-TPC from a missing source fails as STORAGE_FILE_NOT_FOUND and leaves nothing behind', async () => {
    const before = filesUnder(b.data)
    const err = await rejectsWith(
      dav.thirdPartyCopy(`${a.httpUrl}/tpc/missing.bin`, `${b.httpUrl}/gone/dst.bin`),
      'STORAGE_FILE_NOT_FOUND',
      /third-party copy from .*missing\.bin failed: .*404/,
    )
    assert.equal(err.details?.source, `${a.httpUrl}/tpc/missing.bin`)
    await rejectsWith(
      copyVerified(
        registry,
        `${a.httpUrl}/tpc/missing.bin`,
        `${b.httpUrl}/gone/again.bin`,
        { bytes: 5, adler32: null },
        { tpc: 'only' },
      ),
      'STORAGE_FILE_NOT_FOUND',
    )
    assert.deepEqual(filesUnder(b.data), before)
  })

  it('forwards the source token as TransferHeaderAuthorization; the pulling server presents it', async () => {
    const data = randomData(50_000)
    await dav.write(`${a.httpUrl}/tok/src.bin`, bytesOf(data), { bytes: data.length })
    // XrdHttp without a token plug-in does not check tokens: proxies record what was sent.
    const [source, dest] = await Promise.all([
      startRecordingProxy(a.httpUrl),
      startRecordingProxy(b.httpUrl),
    ])
    try {
      const outcome = await dav.thirdPartyCopy(
        `${source.url}/tok/src.bin`,
        `${dest.url}/tok/dst.bin`,
        { sourceToken: 'source-token', destToken: 'dest-token' },
      )
      assert.equal(outcome, 'done')
      const copy = dest.requests.find((r) => r.method === 'COPY')
      assert.equal(copy?.headers.authorization, 'Bearer dest-token')
      assert.equal(copy?.headers.transferheaderauthorization, 'Bearer source-token')
      assert.equal(copy?.headers.source, `${source.url}/tok/src.bin`)
      const pulls = source.requests.filter((r) => r.path === '/tok/src.bin')
      assert.ok(pulls.length > 0, 'the destination server pulled from the source')
      for (const pull of pulls) assert.equal(pull.headers.authorization, 'Bearer source-token')
      assert.deepEqual(readFileSync(path.join(b.data, 'tok/dst.bin')), data)
    } finally {
      await Promise.all([source.stop(), dest.stop()])
    }
  })

  it('davs:// uploads, downloads and verifies with the test CA, given as PEM or as a CA folder', async () => {
    const src = await sourceFile('tls.bin', 400_000)
    const davs = `${a.httpsUrl.replace('https:', 'davs:')}/tls/f.bin`
    const up = await copyVerified(registry, src.url, davs, src.expected)
    assert.deepEqual(up, { ...src.expected, mode: 'streamed', verifiedBy: 'endpoint' })
    const back = `file://${storage.root}/tls-back.bin`
    await copyVerified(registry, davs, back, src.expected)
    assert.deepEqual(readFileSync(new URL(back)), src.data)
    const byFolder = new WebdavProtocol({ caDir: a.caDir })
    assert.deepEqual(await byFolder.stat(davs), { bytes: src.data.length })
    assert.equal(await byFolder.checksum(davs, 'adler32'), src.expected.adler32)
    // The grid's X509_CERT_DIR, read at the first https request of a default-built protocol.
    const saved = process.env.X509_CERT_DIR
    process.env.X509_CERT_DIR = a.caDir
    try {
      assert.deepEqual(await new WebdavProtocol().stat(davs), { bytes: src.data.length })
    } finally {
      if (saved === undefined) delete process.env.X509_CERT_DIR
      else process.env.X509_CERT_DIR = saved
    }
  })

  it('an untrusted server certificate fails at once as STORAGE_PERMISSION_DENIED; bad CA settings are CONFIG_INVALID', async () => {
    const davs = `${a.httpsUrl.replace('https:', 'davs:')}/tls/f.bin`
    // Only Node's public roots (and $X509_CERT_DIR when set, which never holds this test CA).
    const err = await rejectsWith(
      new WebdavProtocol({ timeoutMs: 30_000 }).stat(davs),
      'STORAGE_PERMISSION_DENIED',
      /certificate is not trusted/,
    )
    assert.match(String(err.details?.tls), /CERT|SIGNATURE/)
    await rejectsWith(
      digestOf(new WebdavProtocol().read(davs)),
      'STORAGE_PERMISSION_DENIED',
      /not trusted/,
    )
    assert.throws(
      () => new WebdavProtocol({ caDir: path.join(storage.root, 'no-such-folder') }),
      (e: unknown) => (e as { code?: string }).code === 'CONFIG_INVALID',
    )
    assert.throws(
      () => new WebdavProtocol({ ca: 'not a certificate' }),
      (e: unknown) => (e as { code?: string }).code === 'CONFIG_INVALID',
    )
  })

  it('roots:// with the same CA through xrdcp (X509_CERT_DIR), verified by the endpoint', async () => {
    const src = await sourceFile('roots.bin', 300_000)
    const xrd = new XrootdProtocol({ certDir: a.caDir })
    const reg = new ProtocolRegistry([new PosixProtocol(), xrd])
    const result = await copyVerified(reg, src.url, `${a.rootsUrl}//secure/f.bin`, src.expected)
    assert.deepEqual(result, { ...src.expected, mode: 'streamed', verifiedBy: 'endpoint' })
    assert.deepEqual(readFileSync(path.join(a.data, 'secure/f.bin')), src.data)
    const untrusted = new XrootdProtocol({ certDir: storage.root, connectSeconds: 3 })
    await rejectsWith(
      untrusted.stat(`${a.rootsUrl}//secure/f.bin`),
      'STORAGE_PERMISSION_DENIED',
      /TLS/,
    )
  })
})

describe(
  'PUT into missing folders on a server that does not make them',
  { skip: rcloneSkipReason() },
  () => {
    let rclone: RcloneWebdav
    before(async () => {
      rclone = await startRcloneWebdav()
    })
    after(() => rclone.stop())

    it('MKCOL makes the folders level by level: the retry succeeds, later files go straight in', async () => {
      const dav = new WebdavProtocol()
      const data = randomData(20_000)
      const first = `${rclone.url}/p/q/r/one.bin`
      await rejectsWith(
        dav.write(first, bytesOf(data), { bytes: data.length }),
        'STORAGE_ERROR',
        'created it with MKCOL, a retry will succeed',
      )
      assert.ok(statSync(path.join(rclone.root, 'p/q/r')).isDirectory())
      await dav.write(first, bytesOf(data), { bytes: data.length })
      await dav.write(`${rclone.url}/p/other/two.bin`, bytesOf(data), { bytes: data.length })
      assert.deepEqual(readFileSync(path.join(rclone.root, 'p/other/two.bin')), data)
      assert.deepEqual(readFileSync(path.join(rclone.root, 'p/q/r/one.bin')), data)
    })
  },
)
