/** Wire contract of allocation usage: what each allocation granted, used and has left, over time. */
import { Nullable, StringEnum, Type, type Static } from './common.js'
import { allocationUnits } from './catalog-services.js'

export const AllocationUsageQuerySchema = Type.Object(
  {
    allocation: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
    community: Type.Optional(Type.String({ minLength: 1, maxLength: 63 })),
  },
  { additionalProperties: false },
)
export type AllocationUsageQuery = Static<typeof AllocationUsageQuerySchema>

export const AllocationGrantUseSchema = Type.Object(
  {
    unit: StringEnum(allocationUnits),
    amount: Type.Number(),
    used: Type.Number({
      description:
        'Core- and GPU-hours: charged by tasks (plus the catalogue figure `used`); TB and TB on tape: held now on the covered endpoints; TB-years: byte-days held; TB transferred: bytes copied to covered endpoints.',
    }),
    left: Type.Number(),
  },
  { additionalProperties: false },
)

export const AllocationUsageSchema = Type.Object(
  {
    name: Type.String(),
    community: Type.String(),
    services: Type.String({ description: 'The service expression (`name=<service>` for one).' }),
    coveredServices: Type.Array(Type.String()),
    periodStart: Nullable(Type.String()),
    periodEnd: Nullable(Type.String()),
    renewable: Type.Boolean(),
    example: Type.Boolean(),
    active: Type.Boolean(),
    grants: Type.Array(AllocationGrantUseSchema),
    tasks: Type.Integer({ description: 'Tasks charged to the allocation.' }),
    burnDown: Type.Array(
      Type.Object(
        {
          day: Type.String({ description: 'YYYY-MM-DD' }),
          used: Type.Number({ description: 'Cumulative use of the first grant by that day.' }),
        },
        { additionalProperties: false },
      ),
      { description: 'Cumulative compute use per day with tasks, in the first grant unit.' },
    ),
  },
  { additionalProperties: false },
)
export type AllocationUsage = Static<typeof AllocationUsageSchema>

export const AllocationUsageListSchema = Type.Object(
  { items: Type.Array(AllocationUsageSchema) },
  { additionalProperties: false },
)
