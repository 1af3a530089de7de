import * as z from 'zod';
import { utcInstantSchema } from '../domain/common.schema.ts';
import { localDateOf } from '../domain/zoned-time.ts';
import { NotFoundError } from '../use-cases/deps.ts';
import { drawScreensForDay } from '../use-cases/screens.ts';
import { defineJob } from './job.ts';

export const drawScreensJob = defineJob({
  target: 'draw-screens',
  payload: z.object({ programId: z.string().min(1), scheduledTime: utcInstantSchema.optional() }),
  async run(deps, payload) {
    const program = await deps.programs.getProgram(payload.programId);
    if (!program) throw new NotFoundError(`program ${payload.programId} does not exist`);
    // The draw's date is the local date the schedule was due, even if delivery is late or retried.
    const date = localDateOf(payload.scheduledTime ?? deps.clock.now(), program.timezone);
    const result = await drawScreensForDay(deps, program.id, date);
    return 'draw' in result
      ? { drawId: result.draw!.drawId, reused: result.reused, selected: result.draw!.selections.length }
      : result;
  },
});
