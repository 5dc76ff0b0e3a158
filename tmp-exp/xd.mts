import { startXrootd } from '../test/support/xrootd.js'
import { XrootdProtocol, PosixProtocol, copyVerified, ProtocolRegistry, digestOf } from '../src/transfers/index.js'
import { execFileSync } from 'node:child_process'
const xrd = await startXrootd()
execFileSync('xrdcp', ['-s', '-f', '/dev/shm/b.bin', `${xrd.url}//src.bin`])
const x = new XrootdProtocol(); const p = new PosixProtocol(); const reg = new ProtocolRegistry()
const url = `${xrd.url}//src.bin`
const exp = await digestOf(p.read('file:///dev/shm/b.bin'))
const t = async (l: string, fn: () => Promise<unknown>) => { execFileSync('sync'); const t0 = performance.now(); await fn(); console.log(l.padEnd(30), ((performance.now() - t0) / 1000).toFixed(2), 's') }
for (let i = 0; i < 2; i++) {
  await t('xrdcp to file', async () => execFileSync('xrdcp', ['-s', '-f', url, '/dev/shm/o1.bin']))
  await t('read only (drain)', async () => { let n = 0; for await (const c of x.read(url)) n += c.byteLength })
  await t('read -> posix write', () => p.write('file:///dev/shm/o2.bin', x.read(url), { bytes: 1 << 30 }))
  await t('copyVerified', () => copyVerified(reg, url, 'file:///dev/shm/o3.bin', exp))
}
await xrd.stop(); process.exit(0)
