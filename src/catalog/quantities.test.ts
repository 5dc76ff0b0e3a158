import assert from 'node:assert/strict'
import { it } from 'node:test'
import { parseQuantity, unitOfField } from './quantities.js'

it('converts quantities to the unit in the field name', () => {
  assert.equal(parseQuantity('maxWalltimeHours', '72 h'), 72)
  assert.equal(parseQuantity('maxWalltimeHours', '3 d'), 72)
  assert.equal(parseQuantity('capacityTB', '2.5 PB'), 2500)
  assert.equal(parseQuantity('storedPB', '3 EB'), 3000)
  assert.equal(parseQuantity('ingestGbps', '400 Gb/s'), 400)
  assert.equal(parseQuantity('ingestGbps', '1 Tbps'), 1000)
  assert.equal(parseQuantity('growthPBPerYear', '700 PB/y'), 700)
  assert.equal(parseQuantity('latencyMs', '0.02 s'), 20)
  assert.equal(parseQuantity('memoryPerCoreGB', '2048 MB'), 2.048)
})

it('refuses unknown units, missing units and unit-less fields', () => {
  assert.match(
    (parseQuantity('capacityTB', '3 XB') as { error: string }).error,
    /unknown unit 'XB'/,
  )
  assert.match(
    (parseQuantity('maxWalltimeHours', 'soon') as { error: string }).error,
    /expected a number or a quantity/,
  )
  assert.match((parseQuantity('growthPBPerYear', '7 PB') as { error: string }).error, /per year/)
  assert.match((parseQuantity('capacityTB', '7 PB/y') as { error: string }).error, /not per year/)
  assert.match((parseQuantity('cores', '12 h') as { error: string }).error, /takes no unit/)
  assert.equal(unitOfField('cores'), undefined)
  assert.equal(unitOfField('capacityTB')?.unit, 'TB')
})
