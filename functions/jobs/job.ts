import type * as z from 'zod';
import type { JobTarget } from '../ports/job-scheduler.port.ts';
import type { Deps } from '../use-cases/deps.ts';

/**
 * A job is one registration: its target name, the zod schema of the payload its schedule delivers,
 * and the use case it runs. The Lambda handler, the local runtime and the simulator all run jobs
 * through this shape, so a new job plugs into all three at once.
 */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  target: JobTarget;
  payload: S;
  run(deps: Deps, payload: z.infer<S>): Promise<unknown>;
}

export function defineJob<S extends z.ZodType>(job: JobDefinition<S>): JobDefinition<S> {
  return job;
}
