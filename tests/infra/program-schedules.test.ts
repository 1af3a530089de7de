import { beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../infra/config.ts';
import {
  imported,
  logicalId,
  render,
  resourcesFor,
  type SynthesizedCadence,
  shippedCadence,
  statementsOfRole,
} from './cadence-app.ts';

/** The targets of a program's recurring schedules, which the api function creates at run time. */
const RECURRING_TARGETS = ['draw-screens', 'generate-week', 'sweep-engagement'];

describe.each(STAGES)('programs are data: the %s templates declare no program schedule', (stage) => {
  let built: SynthesizedCadence;
  const arnOf = (name: string) =>
    `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:cadence-${stage}-${name}`;
  const apiStatements = () =>
    statementsOfRole(built.statelessTemplate, logicalId(built.stateless.functions.get('api')!.executionRole));

  beforeAll(() => {
    built = shippedCadence(stage);
  });

  it('has no schedule in either stack, only the schedule group the functions put schedules in', () => {
    for (const template of [built.statefulTemplate, built.statelessTemplate])
      expect(template.findResources('AWS::Scheduler::Schedule')).toEqual({});
    built.statefulTemplate.hasResourceProperties('AWS::Scheduler::ScheduleGroup', {
      Name: `cadence-${stage}`,
    });
  });

  it('lets the api function create, replace and delete schedules in the Cadence group only', () => {
    const scheduler = apiStatements().filter((s) => s.actions.some((a) => a.startsWith('scheduler:')));
    expect(scheduler).toEqual([
      {
        effect: 'Allow',
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule', 'scheduler:UpdateSchedule'],
        resources: [
          `arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/cadence-${stage}/*`,
        ],
      },
    ]);
    const passable = resourcesFor(apiStatements(), 'iam:PassRole');
    expect(passable).toHaveLength(1);
    expect(passable[0]).toMatch(imported(built.stateful.scheduleGroup.role, 'Arn'));
  });

  it("tells the api function the recurring jobs' targets, which the scheduler role may invoke", () => {
    const api =
      built.statelessTemplate.findResources('AWS::Lambda::Function')[
        logicalId(built.stateless.functions.get('api')!)
      ]!;
    const targets = JSON.parse(render(api.Properties.Environment.Variables.JOB_TARGETS));
    for (const target of RECURRING_TARGETS) expect(targets[target]).toBe(arnOf(target));
    const invokable = resourcesFor(
      statementsOfRole(built.statefulTemplate, logicalId(built.stateful.scheduleGroup.role)),
      'lambda:InvokeFunction',
    );
    expect(invokable).toEqual(expect.arrayContaining(RECURRING_TARGETS.map(arnOf)));
  });
});
