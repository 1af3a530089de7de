import * as z from 'zod';
import { entityIdSchema, weeklyWindowSchema } from './common.schema.ts';

export const clinicianSchema = z.object({
  id: entityIdSchema,
  availability: z.array(weeklyWindowSchema).default([]),
});
export type Clinician = z.infer<typeof clinicianSchema>;
