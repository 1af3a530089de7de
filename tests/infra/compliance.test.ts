import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { nagFindings, type SynthesizedCadence, synthCadence } from './cadence-app.ts';

const stages = ['dev', 'prod'] as const;
const built = new Map<(typeof stages)[number], SynthesizedCadence>();

beforeAll(() => {
  // With CDK's CloudFormation validation (schema and rules), as `npm run synth` runs it; cdk.json's
  // @aws-cdk/core:validateAgainstDefaultRules makes its errors fail synthesis.
  for (const stage of stages) built.set(stage, synthCadence(stage, { validate: true }));
});

describe.each(stages)('compliance of the %s stage', (stage) => {
  it.each(['stateful', 'stateless'] as const)(
    'leaves no unacknowledged AwsSolutions or HIPAA.Security finding in the %s stack',
    (which) => {
      expect(nagFindings(built.get(stage)![which])).toEqual([]);
    },
  );

  it.each(['stateful', 'stateless'] as const)(
    'synthesizes the %s stack without CDK warnings or errors',
    (which) => {
      const annotations = Annotations.fromStack(built.get(stage)![which]);
      expect(annotations.findWarning('*', Match.anyValue())).toEqual([]);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    },
  );

  it("passes CDK's CloudFormation validation without a finding, not even a warning", () => {
    const report = JSON.parse(
      readFileSync(join(built.get(stage)!.app.outdir, 'validation-report.json'), 'utf8'),
    );
    expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
  });

  it('gives every acknowledgement a rule id and a reason', () => {
    const { app } = built.get(stage)!;
    const acknowledged = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules'))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(id).toMatch(/(AwsSolutions|HIPAA\.Security)-[A-Za-z0-9]+/);
      expect(reason.length).toBeGreaterThan(30);
    }
  });
});
