/**
 * Makes a tiny OCI image from this machine's static busybox (Debian busybox-static), as a site
 * operator would put an image into a site's store: for the demo (`busybox` in its store) and
 * the tests. Built with `umoci` into an OCI layout; nothing is pulled.
 */
import { execFileSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'

const busybox = '/bin/busybox'
const applets = [
  'sh',
  'cat',
  'echo',
  'id',
  'ls',
  'test',
  'wc',
  'sleep',
  'awk',
  'sed',
  'grep',
  'seq',
]

/** Why a busybox image cannot be built here, or null when it can. */
export function busyboxImageMissing(): string | null {
  const missing = ['/usr/bin/umoci', busybox].filter((f) => !existsSync(f))
  if (missing.length > 0) {
    return `${missing.join(' and ')} missing (apt-get install umoci busybox-static)`
  }
  try {
    const ldd = execFileSync('ldd', [busybox], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    if (ldd.includes('=>')) return `${busybox} is not static (apt-get install busybox-static)`
  } catch {
    // ldd fails on a static binary ("not a dynamic executable"): what is wanted.
  }
  return null
}

/**
 * Builds `<store>/<name>` as an OCI layout holding `tag`, whose root has busybox in /bin and
 * `marker` in /etc/image-release. Written aside and renamed, so a half-built image is never seen.
 */
export function buildBusyboxImage(
  store: string,
  name: string,
  tag: string,
  marker: string,
): string {
  const layout = path.join(store, name)
  const temporary = `${layout}.${process.pid}.tmp`
  const bundle = `${layout}.${process.pid}.bundle`
  const umoci = (...args: string[]) => execFileSync('umoci', args, { stdio: 'pipe' })
  mkdirSync(path.dirname(layout), { recursive: true })
  try {
    umoci('init', '--layout', temporary)
    umoci('new', '--image', `${temporary}:${tag}`)
    umoci('unpack', '--rootless', '--image', `${temporary}:${tag}`, bundle)
    const rootfs = path.join(bundle, 'rootfs')
    for (const dir of ['bin', 'etc', 'tmp']) mkdirSync(path.join(rootfs, dir), { recursive: true })
    copyFileSync(busybox, path.join(rootfs, 'bin', 'busybox'))
    for (const applet of applets) symlinkSync('busybox', path.join(rootfs, 'bin', applet))
    writeFileSync(path.join(rootfs, 'etc', 'image-release'), `${marker}\n`)
    // As an image is published: readable by all, whatever this process's umask.
    for (const dir of ['bin', 'etc', 'tmp']) chmodSync(path.join(rootfs, dir), 0o755)
    chmodSync(rootfs, 0o755)
    chmodSync(path.join(rootfs, 'tmp'), 0o1777)
    chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755)
    chmodSync(path.join(rootfs, 'etc', 'image-release'), 0o644)
    umoci('repack', '--image', `${temporary}:${tag}`, bundle)
    rmSync(layout, { recursive: true, force: true })
    execFileSync('mv', ['-T', temporary, layout])
  } finally {
    rmSync(bundle, { recursive: true, force: true })
    rmSync(temporary, { recursive: true, force: true })
  }
  return layout
}
