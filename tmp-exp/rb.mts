import { PosixProtocol, digestOf } from '../src/transfers/index.js'
const p = new PosixProtocol()
const f = 'file:///dev/shm/b.bin'
for (let i = 0; i < 3; i++) {
  let t0 = performance.now(); const a = await (p as any).readDigest(f, 1 << 30); const t1 = performance.now()
  const b = await digestOf(p.read(f)); const t2 = performance.now()
  console.log('pool', ((t1 - t0) / 1000).toFixed(2), 's  main', ((t2 - t1) / 1000).toFixed(2), 's', a.adler32 === b.adler32)
}
process.exit(0)
