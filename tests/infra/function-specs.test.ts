import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineCadence } from '../../infra/cadence.ts';
import { parseStageConfig, STAGE_CONFIGS, type StageConfigInput } from '../../infra/config.ts';
import { FUNCTION_SPECS, type FunctionSpec } from '../../infra/functions.ts';
import {
  logicalId,
  nagFindings,
  render,
  resourcesFor,
  type SynthesizedCadence,
  statementsOfRole,
  synthCadence,
} from './cadence-app.ts';

// A reduced set of specs, independent of FUNCTION_SPECS, with one handler standing in for all: this
// file checks what each spec field wires, so that adding a function is one entry in FUNCTION_SPECS.
const STAND_IN = 'functions/handlers/generate-week.handler.ts';
const specs: FunctionSpec[] = [
  { ...FUNCTION_SPECS[0]!, schedulesJobs: ['send-reminder'] },
  { name: 'send-reminder', entry: STAND_IN, description: 'stand-in', table: 'readWrite', publishesSms: true },
  {
    name: 'draw-screens',
    entry: STAND_IN,
    description: 'stand-in',
    table: 'readWrite',
    queuesSms: true,
    optsInPhoneNumbers: true,
  },
  { name: 'escalate-flag', entry: STAND_IN, description: 'stand-in', table: 'read', publishesCareTeam: true },
  {
    name: 'sweep-engagement',
    entry: STAND_IN,
    description: 'stand-in',
    table: 'readWrite',
    publishesCareTeam: true,
  },
  {
    name: 'drain-sms',
    entry: STAND_IN,
    description: 'stand-in',
    table: 'readWrite',
    publishesSms: true,
    queuesSms: true,
    drainsSmsQueue: true,
    schedulesJobs: ['drain-sms'],
  },
];
const configInput: StageConfigInput = {
  ...STAGE_CONFIGS.dev,
  // no api function among these specs: the alerts' links need a base URL of their own
  appBaseUrl: 'https://cadence.clinic.example/',
  reservedConcurrency: { 'send-reminder': 5 },
  sms: {
    originationNumber: '+18005550100',
    originationPool: ['+18335550101', '+18335550102'],
    perSecond: 3,
    maxPriceUsd: 0.05,
    monthlySpendLimitUsd: 20,
  },
};

/** A function's ARN as JOB_TARGETS and the scheduler role hold it: built from its name, no reference. */
const arnOf = (name: string) =>
  `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:cadence-dev-${name}`;

let extended: SynthesizedCadence;
const fnId = (name: FunctionSpec['name']) => logicalId(extended.stateless.functions.get(name)!);
const envOf = (name: FunctionSpec['name']) =>
  extended.statelessTemplate.findResources('AWS::Lambda::Function')[fnId(name)]!.Properties.Environment
    .Variables;
const statementsOf = (name: FunctionSpec['name']) =>
  statementsOfRole(
    extended.statelessTemplate,
    logicalId(extended.stateless.functions.get(name)!.executionRole),
  );

beforeAll(() => {
  extended = synthCadence('dev', { config: parseStageConfig(configInput), functions: specs });
});

describe('function specs: what one entry wires', () => {
  it('passes a scheduling function the ARN of each job target it schedules', () => {
    expect(JSON.parse(render(envOf('generate-week').JOB_TARGETS))).toEqual({
      'send-reminder': arnOf('send-reminder'),
    });
  });

  it('lets the scheduler role invoke the targets functions schedule, and nothing else', () => {
    const jobs = extended.stateful.scheduleGroup;
    const invokable = resourcesFor(
      statementsOfRole(extended.statefulTemplate, logicalId(jobs.role)),
      'lambda:InvokeFunction',
    );
    expect(invokable.sort()).toEqual([arnOf('drain-sms'), arnOf('send-reminder')]);
  });

  it('gives SMS senders their origination identity and price cap, and Publish and the opt-out check alone', () => {
    expect(envOf('send-reminder')).toMatchObject({
      SMS_ORIGINATION_NUMBER: '+18005550100',
      SMS_MAX_PRICE: '0.05',
    });
    expect(envOf('send-reminder').SMS_SENDER_ID).toBeUndefined();
    const anywhere = statementsOf('send-reminder').filter((s) => s.resources.includes('*'));
    expect(anywhere.flatMap((s) => s.actions).sort()).toEqual(
      [
        'sns:CheckIfPhoneNumberIsOptedOut',
        'sns:Publish',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it('gives an SMS queuer the wake-up queue, the rate and the pool, and no phone-number action but opting in', () => {
    const env = envOf('draw-screens');
    expect(render(env.SMS_QUEUE_URL)).toMatch(/^<import:.*SmsQueuesWake/);
    expect(render(env.SMS_DEAD_LETTER_URL)).toMatch(/^<import:.*SmsQueuesDeadLetters/);
    expect(env.SMS_PER_SECOND).toBe('3');
    expect(env.SMS_ORIGINATION_POOL).toBe('+18335550101,+18335550102');
    expect(env.SMS_MAX_PRICE).toBeUndefined();
    const statements = statementsOf('draw-screens');
    expect(resourcesFor(statements, 'sqs:SendMessage').filter((r) => /SmsQueues/.test(r))).toEqual([
      expect.stringMatching(/^<import:.*SmsQueuesWake/),
    ]);
    // optsInPhoneNumbers without publishesSms: asks and opts in, publishes nothing to a number
    expect(
      statements
        .filter((s) => s.resources.includes('*'))
        .flatMap((s) => s.actions)
        .sort(),
    ).toEqual(
      [
        'sns:CheckIfPhoneNumberIsOptedOut',
        'sns:OptInPhoneNumber',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });

  it('subscribes the drainer to the wake-up queue and lets it dead-letter', () => {
    const [mapping] = Object.values(
      extended.statelessTemplate.findResources('AWS::Lambda::EventSourceMapping'),
    );
    expect(mapping!.Properties).toMatchObject({
      FunctionName: { Ref: fnId('drain-sms') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const statements = statementsOf('drain-sms');
    expect(resourcesFor(statements, 'sqs:ReceiveMessage')).toEqual([
      expect.stringMatching(/^<import:.*SmsQueuesWake/),
    ]);
    expect(
      resourcesFor(statements, 'sqs:SendMessage')
        .filter((r) => /SmsQueues/.test(r))
        .sort(),
    ).toEqual([
      expect.stringMatching(/^<import:.*SmsQueuesDeadLetters/),
      expect.stringMatching(/^<import:.*SmsQueuesWake/),
    ]);
    expect(envOf('drain-sms')).toMatchObject({ SMS_ORIGINATION_NUMBER: '+18005550100', SMS_PER_SECOND: '3' });
  });

  it('lets only SMS senders publish to phone numbers', () => {
    for (const name of ['generate-week', 'escalate-flag', 'draw-screens'] as const) {
      expect(resourcesFor(statementsOf(name), 'sns:Publish')).not.toContain('*');
      expect(envOf(name).SMS_MAX_PRICE).toBeUndefined();
    }
  });

  it('lets a care-team publisher publish to the care-team topic only, and tells it the ARN', () => {
    expect(resourcesFor(statementsOf('escalate-flag'), 'sns:Publish')).toEqual([
      expect.stringMatching(/^<import:.*CareTeamTopic/),
    ]);
    expect(render(envOf('escalate-flag').CARE_TEAM_TOPIC_ARN)).toMatch(/^<import:.*CareTeamTopic/);
  });

  it('grants a read-only function no write action on the table', () => {
    const actions = statementsOf('escalate-flag').flatMap((s) => s.actions);
    expect(actions).toContain('dynamodb:GetItem');
    for (const write of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ]) {
      expect(actions).not.toContain(write);
    }
  });

  it('reserves concurrency only for the functions the stage config names', () => {
    const reserved = Object.fromEntries(
      specs.map((spec) => [
        spec.name,
        extended.statelessTemplate.findResources('AWS::Lambda::Function')[fnId(spec.name)]!.Properties
          .ReservedConcurrentExecutions,
      ]),
    );
    expect(reserved).toEqual({
      'generate-week': undefined,
      'send-reminder': 5,
      'draw-screens': undefined,
      'escalate-flag': undefined,
      'sweep-engagement': undefined,
      'drain-sms': undefined,
    });
  });

  it("links alerts to the configured appBaseUrl (the web app's), on alerting functions only", () => {
    expect(envOf('escalate-flag').APP_BASE_URL).toBe('https://cadence.clinic.example');
    expect(envOf('sweep-engagement').APP_BASE_URL).toBe('https://cadence.clinic.example');
    expect(envOf('send-reminder').APP_BASE_URL).toBeUndefined();
  });

  it('keeps cdk-nag clean as functions are added', () => {
    expect(nagFindings(extended.stateless)).toEqual([]);
  });
});

describe('function specs: scheduling oneself', () => {
  // escalate-flag re-arming its own escalation, and two functions scheduling each other: with
  // references (Fn::GetAtt) in JOB_TARGETS either would be a dependency cycle CloudFormation refuses.
  const selfScheduling: FunctionSpec[] = [
    {
      name: 'escalate-flag',
      entry: STAND_IN,
      description: 'stand-in',
      table: 'readWrite',
      schedulesJobs: ['escalate-flag', 'sweep-engagement'],
    },
    {
      name: 'sweep-engagement',
      entry: STAND_IN,
      description: 'stand-in',
      table: 'readWrite',
      schedulesJobs: ['escalate-flag'],
    },
  ];
  let built: SynthesizedCadence;
  beforeAll(() => {
    built = synthCadence('dev', {
      config: parseStageConfig(STAGE_CONFIGS.dev),
      functions: selfScheduling,
    });
  });

  it('synthesizes without a dependency cycle, the function getting its own ARN by name', () => {
    // Template.fromStack (in synthCadence) refuses a template with a dependency cycle
    expect(() => Template.fromStack(built.stateless)).not.toThrow();
    const env =
      built.statelessTemplate.findResources('AWS::Lambda::Function')[
        logicalId(built.stateless.functions.get('escalate-flag')!)
      ]!.Properties.Environment.Variables;
    expect(JSON.parse(render(env.JOB_TARGETS))).toEqual({
      'escalate-flag': arnOf('escalate-flag'),
      'sweep-engagement': arnOf('sweep-engagement'),
    });
  });

  it('would be caught by the cycle check if a function referenced itself', () => {
    const template = built.statelessTemplate.toJSON();
    const id = logicalId(built.stateless.functions.get('escalate-flag')!);
    const cyclic = structuredClone(template);
    cyclic.Resources[id].Properties.Environment.Variables.SELF = { 'Fn::GetAtt': [id, 'Arn'] };
    expect(() => Template.fromJSON(cyclic)).toThrow(
      `these resources have a dependency cycle: ${id} -> ${id}`,
    );
  });
});

describe('function specs and config: mistakes stop synthesis with what to fix', () => {
  const define = (functions: readonly FunctionSpec[], input: StageConfigInput = STAGE_CONFIGS.dev) =>
    defineCadence(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), {
      stage: 'dev',
      config: parseStageConfig(input),
      functions,
    });

  it('refuses a function scheduling a job whose function is not deployed', () => {
    expect(() => define([{ ...FUNCTION_SPECS[0]!, schedulesJobs: ['check-attendance'] }])).toThrow(
      /generate-week schedules check-attendance, which is not deployed/,
    );
  });

  it('refuses alerting functions when alert links have no base URL (no api function, no appBaseUrl)', () => {
    const { appBaseUrl: _, ...withoutUrl } = configInput;
    expect(() => define(specs, withoutUrl)).toThrow(
      /escalate-flag sends care-team alerts, whose links need a base URL: set appBaseUrl in infra\/config\.ts or deploy the api function/,
    );
  });

  it('refuses reserved concurrency for a function that is not deployed', () => {
    expect(() => define(specs, { ...configInput, reservedConcurrency: { 'check-screen': 2 } })).toThrow(
      /reservedConcurrency names check-screen, which is not deployed/,
    );
  });

  it('refuses a drainer that cannot send, wake or schedule itself', () => {
    const drainer = specs.find((s) => s.name === 'drain-sms')!;
    expect(() => define([{ ...drainer, publishesSms: false, schedulesJobs: [] }])).toThrow(
      /drain-sms drains the SMS queue, so it needs publishesSms, schedulesJobs: \['drain-sms'\]/,
    );
    expect(() => define([{ ...drainer, queuesSms: false }])).toThrow(/so it needs queuesSms/);
  });

  it('refuses functions that queue SMS when no function drains them', () => {
    expect(() => define(specs.filter((s) => s.name !== 'drain-sms'))).toThrow(
      /draw-screens queues SMS, but no function drains the SMS queue: deploy drain-sms/,
    );
  });

  it("refuses a drainer that may run longer than a wake-up's visibility timeout", () => {
    const drainer = specs.find((s) => s.name === 'drain-sms')!;
    expect(() => define([{ ...drainer, timeout: Duration.minutes(4) }])).toThrow(
      /drain-sms may run 4 minutes, longer than the wake-up queue's visibility timeout \(3 minutes\)/,
    );
  });

  it('refuses a function listed twice', () => {
    expect(() => define([FUNCTION_SPECS[0]!, FUNCTION_SPECS[0]!])).toThrow(/generate-week is listed twice/);
  });

  it('names the config field that is wrong', () => {
    expect(() =>
      parseStageConfig({
        ...STAGE_CONFIGS.dev,
        careTeam: [{ email: 'lee@clinic.example', programs: ['Sun Rise'] }],
      }),
    ).toThrow(/careTeam\.0\.programs\.0/);
    expect(() =>
      parseStageConfig({ ...STAGE_CONFIGS.dev, sms: { maxPriceUsd: 0.05, monthlySpendLimitUsd: 0 } }),
    ).toThrow(/sms\.monthlySpendLimitUsd/);
  });
});
