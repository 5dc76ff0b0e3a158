/**
 * Debian's Chromium driven by playwright-core (no browser download), for the dashboard's
 * end-to-end tests. Tests skip locally when Chromium is absent and fail under CI=true.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

const root = fileURLToPath(new URL('../..', import.meta.url))
const candidates = ['/usr/bin/chromium', '/usr/lib/chromium/chromium']
export const chromiumPath = candidates.find((p) => existsSync(p))

/** `skip` option for node:test: a reason locally without Chromium; under CI=true it must run. */
export function browserSkip(): string | false {
  if (chromiumPath) return false
  if (process.env.CI === 'true') {
    throw new Error('Chromium is required under CI=true (apt-get install chromium)')
  }
  return 'Chromium is not installed (apt-get install chromium)'
}

export async function launchBrowser(): Promise<Browser> {
  if (!chromiumPath) throw new Error('no Chromium')
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

/** Builds web/dist when a source is newer than the bundle (fast: under a second here). */
export function ensureDashboardBuilt(): void {
  const result = spawnSync(
    process.execPath,
    [path.join(root, 'scripts/build-web.js'), '--if-stale'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
  if (result.status !== 0) throw new Error(`building the dashboard failed:\n${result.stderr}`)
  if (!existsSync(path.join(root, 'web/dist/index.html'))) {
    throw new Error('web/dist/index.html is missing after the build (is vite installed?)')
  }
}

export const screenshotDir = path.join(root, 'test-output', 'screenshots')

/** The whole page by default; `fullPage: false` for what the window shows (the README's picture). */
export async function screenshot(
  page: Page,
  name: string,
  options: { fullPage?: boolean } = {},
): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true })
  const file = path.join(screenshotDir, `${name}.png`)
  await page.screenshot({ path: file, fullPage: options.fullPage ?? true })
  return file
}
