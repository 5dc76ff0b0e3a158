/** `continuum catalog import|export|validate`: whole catalogues as YAML (or GLUE 2.0 JSON/LDIF). */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Command } from 'commander'
import type { ImportError, ImportResult } from '../../contract/index.js'
import { ContinuumError } from '../../platform/browser.js'
import { cliContext, withExamples } from '../context.js'
import { printResult, type Output } from '../output.js'
import { ReportedError } from './common.js'

/**
 * Files given, with folders expanded to the YAML/JSON files inside them (GLUE 2.0: JSON and
 * LDIF), in path order.
 */
export function readInputFiles(
  inputs: string[],
  glue2: boolean,
): Array<{ path: string; content: string }> {
  const out: Array<{ path: string; content: string }> = []
  const pattern = glue2 ? /\.(json|ldif)$/ : /\.(ya?ml|json)$/
  const visit = (p: string) => {
    let st
    try {
      st = statSync(p)
    } catch {
      throw new ContinuumError('INVALID_ARGUMENT', `${p}: no such file or folder`, { path: p })
    }
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) visit(path.join(p, e))
    else if (pattern.test(p) || inputs.includes(p)) {
      out.push({ path: p, content: readFileSync(p, 'utf8') })
    }
  }
  inputs.forEach(visit)
  if (out.length === 0) {
    throw new ContinuumError('INVALID_ARGUMENT', 'no catalogue files found in the given paths', {
      paths: inputs,
    })
  }
  return out
}

/** GLUE 2.0 when asked for, or when every file is named .ldif. */
const glueFormat = (glue2: boolean | undefined, files: Array<{ path: string }>) =>
  glue2 === true || files.every((f) => /\.ldif$/i.test(f.path)) ? 'glue2' : 'yaml'

function summary(r: ImportResult): string {
  const counts = Object.entries(r.counts).map(([k, n]) => `${n} ${k}`)
  const lines = [
    `${r.dryRun ? 'valid: would import' : 'imported'} ${counts.join(', ') || 'nothing'}`,
  ]
  // Every unmapped attribute has its warning line too ("not mapped: Kind.Attr").
  if (r.warnings.length) {
    lines.push(`warnings (${r.warnings.length}):`, ...r.warnings.map((w) => `  ${w}`))
  }
  return lines.join('\n')
}

/** Prints `file:line:col path: message` lines (or the JSON error) and fails with the error's code. */
function reportImportError(out: Output, err: unknown): never {
  if (err instanceof ContinuumError && err.code === 'IMPORT_INVALID') {
    const errors = (err.details.errors as ImportError[] | undefined) ?? []
    if (out.json) out.write(JSON.stringify({ error: err.toJSON() }, null, 2))
    else {
      out.error(
        [
          ...errors.map((e) => e.text),
          `${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was imported`,
        ].join('\n'),
      )
    }
    throw new ReportedError(err)
  }
  throw err
}

export function catalogIoCommands(): Command[] {
  const imp = withExamples(
    new Command('import')
      .description('Import catalogue files or folders, all or nothing')
      .argument('<paths...>', 'YAML files or folders (or GLUE 2.0 JSON or LDIF with --glue2)')
      .option('--glue2', 'the files are GLUE 2.0 (JSON or LDIF; .ldif files are without it)')
      .option('--dry-run', 'check everything, change nothing')
      .action(
        async (paths: string[], opts: { glue2?: boolean; dryRun?: boolean }, cmd: Command) => {
          const { out, client } = cliContext(cmd)
          const files = readInputFiles(paths, opts.glue2 === true)
          try {
            const result = await client().landscape.importCatalog({
              files,
              format: glueFormat(opts.glue2, files),
              dryRun: opts.dryRun === true,
            })
            printResult(out, result, summary)
          } catch (err) {
            reportImportError(out, err)
          }
        },
      ),
    'continuum catalog import data/landscape',
    'continuum catalog import --glue2 site-bdii.json',
    'continuum catalog import site-bdii.ldif',
  )
  const validate = withExamples(
    new Command('validate')
      .description(
        'Check catalogue files against the schema and the current catalogue (references, duplicates); changes nothing',
      )
      .argument('<paths...>', 'YAML files or folders')
      .option('--glue2', 'the files are GLUE 2.0 (JSON or LDIF; .ldif files are without it)')
      .action(async (paths: string[], opts: { glue2?: boolean }, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        const files = readInputFiles(paths, opts.glue2 === true)
        try {
          printResult(
            out,
            await client().landscape.validateCatalog({
              files,
              format: glueFormat(opts.glue2, files),
            }),
            summary,
          )
        } catch (err) {
          reportImportError(out, err)
        }
      }),
    'continuum catalog validate my-site.yaml',
  )
  const exp = withExamples(
    new Command('export')
      .description('Write the whole catalogue as one YAML file (stdout, or --out)')
      .option('-o, --out <file>', 'write to this file')
      .action(async (opts: { out?: string }, cmd: Command) => {
        const { out, client } = cliContext(cmd)
        const { content } = await client().landscape.exportCatalog()
        if (opts.out) {
          writeFileSync(opts.out, content)
          if (!out.json) out.write(`wrote ${opts.out}`)
          else out.write(JSON.stringify({ file: opts.out }))
        } else out.write(out.json ? JSON.stringify({ content }) : content)
      }),
    'continuum catalog export -o catalogue.yaml',
  )
  return [imp, validate, exp]
}
