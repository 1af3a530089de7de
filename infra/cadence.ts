import type { App, Environment } from 'aws-cdk-lib';
import type { Stage, StageConfig } from './config.ts';
import { FUNCTION_SPECS, type FunctionSpec, scheduledTargets } from './functions.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export interface CadenceStacks {
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
}

/** Both stacks of one stage; app.ts and the infra tests build Cadence through this alone. */
export function defineCadence(
  app: App,
  { stage, config, functions }: { stage: Stage; config: StageConfig; functions?: readonly FunctionSpec[] },
): CadenceStacks {
  const env: Environment = {
    account: config.account ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: config.region ?? process.env.CDK_DEFAULT_REGION,
  };
  const tags = { application: 'cadence', stage };
  const specs = functions ?? FUNCTION_SPECS;
  // Neither stack of prod can be deleted by mistake: `cdk destroy` stops until protection is turned off.
  const terminationProtection = stage === 'prod';
  const stateful = new StatefulStack(app, `Cadence-${stage}-Stateful`, {
    stage,
    config,
    env,
    tags,
    description: `Cadence ${stage}: table, keys, topics, staff accounts, the schedule group and the SMS queues (retained in prod)`,
    terminationProtection,
    scheduledTargets: scheduledTargets(specs),
  });
  const stateless = new StatelessStack(app, `Cadence-${stage}-Stateless`, {
    stage,
    config,
    env,
    tags,
    description: `Cadence ${stage}: functions, staff API and alarms`,
    terminationProtection,
    stateful,
    functions: specs,
  });
  return { stateful, stateless };
}
