// Writes docs/errors.md from the error catalogue: `npm run docs:errors`.
import { writeFileSync } from 'node:fs'
import { errorCatalog, exitCodes } from '../src/platform/index.js'

const exitNames = Object.fromEntries(Object.entries(exitCodes).map(([name, code]) => [code, name]))
const rows = Object.entries(errorCatalog).map(
  ([code, info]) =>
    `| \`${code}\` | ${info.status} | ${info.exit} (${exitNames[info.exit]}) | ${info.retryable ? 'yes' : 'no'} | ${info.summary} |`,
)
const text = `# Error codes

Every error Continuum reports — from the API, the client or the CLI — carries one of these
stable codes. The API answers \`{"error":{"code","message","details","requestId"}}\` with the
HTTP status below; the CLI prints \`error CODE: message\` (or the same JSON object with \`--json\`)
and exits with the exit code below. "Retryable" says whether the same request may succeed later
unchanged. Validation errors list every offending field in \`details.errors[]\` as
\`{field, message}\`.

This file is generated from \`src/platform/errors.ts\` by \`npm run docs:errors\`; a test keeps
the two in step.

| code | HTTP | exit | retryable | meaning |
| --- | --- | --- | --- | --- |
${rows.join('\n')}

CLI exit codes: ${Object.entries(exitCodes)
  .map(([name, code]) => `${code} ${name}`)
  .join(', ')}.
`
writeFileSync(new URL('../docs/errors.md', import.meta.url), text)
