/** `continuum practice draft`: drafts published for consultation, threaded comments, resolutions. */
import { type Command } from 'commander'
import type { Draft } from '../../contract/index.js'
import { cliContext, withExamples } from '../context.js'
import { formatTable, printResult } from '../output.js'
import { cmd, textOrFile } from './practice-files.js'

export function draftCommand(): Command {
  const draft = cmd(
    'draft',
    'Drafts published for consultation, with threaded comments',
    'continuum practice draft ls',
  )
  const summary = (d: Draft) => `${d.name} is ${d.status} (${d.comments.length} comments)`
  draft.addCommand(
    cmd('ls', 'List drafts', 'continuum practice draft ls --json').action(
      async (_o: unknown, c: Command) => {
        const { out, client } = cliContext(c)
        printResult(out, await client().practice.drafts(), (ds) =>
          formatTable(ds, [
            { header: 'name', value: (d) => d.name },
            { header: 'status', value: (d) => d.status },
            { header: 'comments', value: (d) => String(d.comments.length) },
            {
              header: 'open',
              value: (d) => String(d.comments.filter((x) => x.status === 'open').length),
            },
            { header: 'title', value: (d) => d.title },
          ]),
        )
      },
    ),
  )
  draft.addCommand(
    cmd(
      'show',
      'A draft and its comment threads',
      'continuum practice draft show blueprint-chapter-demo',
    )
      .argument('<name>')
      .action(async (name: string, _o: unknown, c: Command) => {
        const { out, client } = cliContext(c)
        printResult(out, await client().practice.draft(name), (d) => {
          const lines = [`${d.title} — ${d.status}`, '', d.body, '']
          const thread = (parent: string | null, depth: number): void => {
            for (const x of d.comments.filter((y) => y.parent === parent)) {
              const pad = '  '.repeat(depth)
              lines.push(`${pad}[${x.id}] ${x.author}: ${x.body}`)
              if (x.status !== 'open') {
                lines.push(`${pad}  → ${x.status} by ${x.resolvedBy ?? '?'}: ${x.resolution ?? ''}`)
              }
              thread(x.id, depth + 1)
            }
          }
          thread(null, 0)
          return lines.join('\n')
        })
      }),
  )
  draft.addCommand(
    cmd(
      'add',
      "Write a draft (the group's members)",
      'continuum practice draft add access-chapter --group wg-data --title "Access" --body @access.md',
    )
      .argument('<name>')
      .requiredOption('--group <name>')
      .requiredOption('--title <text>')
      .requiredOption('--body <text>', 'the text (or @file)')
      .action(
        async (name: string, o: { group: string; title: string; body: string }, c: Command) => {
          const { out, client } = cliContext(c)
          const d = await client().practice.addDraft({
            name,
            workingGroup: o.group,
            title: o.title,
            body: textOrFile(o.body),
          })
          printResult(out, d, summary)
        },
      ),
  )
  for (const [step, text] of [
    ['publish', 'Open the consultation (coordinators)'],
    ['close', 'End the consultation (coordinators)'],
  ] as const) {
    draft.addCommand(
      cmd(step, text, `continuum practice draft ${step} blueprint-chapter-demo`)
        .argument('<name>')
        .action(async (name: string, _o: unknown, c: Command) => {
          const { out, client } = cliContext(c)
          const p = client().practice
          printResult(
            out,
            await (step === 'publish' ? p.publishDraft(name) : p.closeDraft(name)),
            summary,
          )
        }),
    )
  }
  draft.addCommand(
    withExamples(
      cmd('comment', 'Comment on a draft under consultation, or reply to a comment')
        .argument('<name>')
        .requiredOption('--body <text>')
        .option('--reply-to <comment-id>')
        .action(async (name: string, o: { body: string; replyTo?: string }, c: Command) => {
          const { out, client } = cliContext(c)
          const x = await client().practice.comment(name, {
            body: o.body,
            ...(o.replyTo === undefined ? {} : { parent: o.replyTo }),
          })
          printResult(out, x, (y) => `comment ${y.id} added`)
        }),
      'continuum practice draft comment blueprint-access --body "Which AAI?"',
    ),
  )
  draft.addCommand(
    withExamples(
      cmd('resolve', 'Resolve a comment as accepted, rejected or answered (coordinators)')
        .argument('<name>')
        .argument('<comment-id>')
        .argument('<resolution>', 'accepted | rejected | answered')
        .requiredOption('--note <text>')
        .action(
          async (name: string, id: string, resolution: string, o: { note: string }, c: Command) => {
            const { out, client } = cliContext(c)
            const x = await client().practice.resolveComment(name, id, {
              resolution: resolution as 'accepted',
              note: o.note,
            })
            printResult(out, x, (y) => `comment ${y.id} ${y.status}`)
          },
        ),
      'continuum practice draft resolve blueprint-access 0190… answered --note "Both, federated."',
    ),
  )
  return draft
}
