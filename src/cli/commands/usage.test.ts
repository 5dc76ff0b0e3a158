/** Energy is an estimate, and says so wherever it is shown: the API's field and the CLI table. */
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { UsageRowSchema } from '../../contract/index.js'
import { formatUsage } from './usage.js'

it('labels energy an estimate in the API schema and the CLI table', () => {
  const field = UsageRowSchema.properties.energyKwh as { description?: string }
  assert.match(field.description ?? '', /estimate.*cores × watts/)
  const table = formatUsage({
    groupBy: 'site',
    rows: [{ key: 'local', tasks: 2, coreHours: 1, wallHours: 1, cpuHours: 0.5, energyKwh: 0.01 }],
  })
  assert.match(table, /KWH \(EST\.\)/)
})
