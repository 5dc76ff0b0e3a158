/**
 * Tiny OCI images for the container tests, made here with the project's own builder (a static
 * busybox packed by umoci), as a layout `<store>/<name>/` or an archive `<store>/<name>.tar`.
 * Tests skip locally when umoci, bubblewrap or busybox-static is missing, and fail under CI=true
 * (.ci/run installs them).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { buildBusyboxImage, busyboxImageMissing } from '../../src/executors/index.js'

export function imageSkipReason(): string | false {
  const reason =
    busyboxImageMissing() ?? (existsSync('/usr/bin/bwrap') ? null : 'bubblewrap missing')
  if (reason && process.env.CI === 'true') {
    throw new Error(`${reason} (CI=true: these tests must run)`)
  }
  return reason ?? false
}

export function buildImage(
  store: string,
  name: string,
  tag: string,
  marker: string,
  options: { archive?: boolean } = {},
): void {
  const layout = buildBusyboxImage(store, name, tag, marker)
  if (options.archive) {
    execFileSync('tar', ['-C', layout, '-cf', `${layout}.tar`, '.'])
    rmSync(layout, { recursive: true, force: true })
  }
}
