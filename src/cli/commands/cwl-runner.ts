/**
 * `continuum cwl-runner`: the CWL runner protocol, embedded (no server) — or, with `--server URL`
 * or `--remote`, through a server (cwl-remote.ts). Prints the output object as JSON on stdout;
 * exits 0 on success, 33 when a requirement is not supported, 1 when the run fails and 2 when
 * the document or input object is invalid.
 */
import { Command } from 'commander'
import { CwlError, runCwl } from '../../cwl/index.js'
import { cliContext, withExamples } from '../context.js'
import { runCwlOnServer } from '../cwl-remote.js'

export function cwlRunnerCommand(): Command {
  return withExamples(
    new Command('cwl-runner')
      .description(
        'Run a CWL v1.2 tool or workflow here and print its output object (the CWL runner protocol)',
      )
      .argument('<tool>', 'the CWL document (path, optionally #id of a process in a $graph)')
      .argument('[job]', 'the input object (YAML or JSON)')
      .option('--outdir <dir>', 'where the outputs go', '.')
      .option('--quiet', 'no progress on stderr')
      .option(
        '--remote',
        "run through the CLI's configured server (config file or CONTINUUM_SERVER) and token, as --server URL does through that one",
      )
      .action(
        async (
          tool: string,
          job: string | undefined,
          opts: { outdir: string; quiet?: boolean; remote?: boolean },
          cmd: Command,
        ) => {
          // `--server` is the CLI's global option: given on the command line, the run goes there.
          if (opts.remote || cmd.optsWithGlobals<{ server?: string }>().server !== undefined) {
            process.exitCode = await runCwlOnServer(cliContext(cmd).client(), tool, job, opts)
            return
          }
          try {
            const outputs = await runCwl(tool, job, { outdir: opts.outdir })
            process.stdout.write(`${JSON.stringify(outputs, null, 2)}\n`)
          } catch (err) {
            if (!(err instanceof CwlError)) throw err
            process.stderr.write(`cwl-runner: ${err.message}\n`)
            process.exitCode = err.kind === 'unsupported' ? 33 : err.kind === 'invalid' ? 2 : 1
          }
        },
      ),
    'continuum cwl-runner --outdir out tool.cwl job.yml',
    'continuum cwl-runner --server https://continuum.example.org --outdir out wf.cwl job.yml',
  )
}
