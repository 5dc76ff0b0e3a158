/**
 * The shipped data set (data/landscape/): European e-Infrastructures, their services and access
 * policies, communities and SPECTRUM use cases. `continuum demo` loads it into an empty catalogue.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { importCatalog, listInfrastructures } from '../catalog/index.js'
import type { ImportResult } from '../contract/index.js'
import type { Context } from '../db/index.js'

export const shippedDataDir = fileURLToPath(new URL('../../data/landscape/', import.meta.url))

/** Every YAML file under `dir`, in path order, as import input (paths relative to the repo). */
export function readYamlTree(
  dir: string,
  base = path.resolve(dir, '../..'),
): Array<{ path: string; content: string }> {
  const out: Array<{ path: string; content: string }> = []
  const walk = (d: string) => {
    for (const entry of readdirSync(d).sort()) {
      const full = path.join(d, entry)
      if (statSync(full).isDirectory()) walk(full)
      else if (/\.ya?ml$/.test(entry)) {
        out.push({ path: path.relative(base, full), content: readFileSync(full, 'utf8') })
      }
    }
  }
  walk(dir)
  return out
}

/**
 * Loads the shipped landscape into the catalogue, all or nothing. Skips (returns undefined) when
 * the catalogue already holds infrastructures, so restarting the demo on the same home is fine.
 */
export async function loadShippedLandscape(ctx: Context): Promise<ImportResult | undefined> {
  if ((await listInfrastructures(ctx, { limit: 1 })).items.length > 0) return undefined
  return importCatalog(ctx, { files: readYamlTree(shippedDataDir) })
}
