import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { type CadenceStacks, defineCadence } from '../../infra/cadence.ts';
import { loadStageConfig, type Stage, type StageConfig } from '../../infra/config.ts';
import type { FunctionSpec } from '../../infra/functions.ts';

/** The context `cdk synth` gives the app (feature flags, stage), so tests synthesize the same templates. */
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../cdk.json', import.meta.url)), 'utf8'),
).context;

export interface SynthesizedCadence extends CadenceStacks {
  app: App;
  statefulTemplate: Template;
  statelessTemplate: Template;
}

/** The shipped stages, synthesized once per process (without bundling) and shared by every test. */
const shipped = new Map<Stage, SynthesizedCadence>();

/**
 * Both stacks of a stage as `npm run synth` builds them, from the shipped config. Synthesized once
 * and reused: tests only read the result. Bundling the handlers is the slow part and changes no
 * template property but asset hashes, so it is skipped here (see synthCadence's `bundle`).
 */
export function shippedCadence(stage: Stage): SynthesizedCadence {
  let built = shipped.get(stage);
  if (!built) {
    built = synthCadence(stage);
    shipped.set(stage, built);
  }
  return built;
}

/**
 * Builds and synthesizes both stacks of a stage; call it in beforeAll for a config or function list
 * of the test's own (shippedCadence serves the shipped ones). Two slow parts are opt-in, each used
 * by one test file: `bundle` bundles the handlers (it changes no template property but asset
 * hashes), `validate` runs CDK's built-in CloudFormation validation (a WebAssembly rule engine,
 * about 2 s per process; `npm run synth` always runs it, and cdk.json makes its findings errors).
 */
export function synthCadence(
  stage: Stage,
  overrides: {
    config?: StageConfig;
    functions?: readonly FunctionSpec[];
    bundle?: boolean;
    validate?: boolean;
  } = {},
): SynthesizedCadence {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': overrides.bundle ? ['**'] : [] },
    builtinCloudFormationValidation: overrides.validate ?? false,
  });
  const config = overrides.config ?? loadStageConfig(stage).config;
  const stacks = defineCadence(app, { stage, config, functions: overrides.functions });
  return {
    app,
    ...stacks,
    statefulTemplate: Template.fromStack(stacks.stateful),
    statelessTemplate: Template.fromStack(stacks.stateless),
  };
}

/** Unacknowledged cdk-nag findings of both packs, as "RuleId at construct/path" lines. */
export function nagFindings(stack: Stack): string[] {
  return [new AwsSolutionsChecks(), new HIPAASecurityChecks()].flatMap((pack) =>
    pack
      .validateScope(stack)
      .violations.flatMap((v) =>
        v.violatingResources.map(
          (r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`,
        ),
      ),
  );
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(element.logicalId);
}

/**
 * A CloudFormation value as a readable string: Ref -> <Id>, GetAtt -> <Id.Attr>, ImportValue ->
 * <import:Name>, Join -> the joined parts. Lets tests compare ARNs without spelling intrinsics.
 */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('Ref' in v) return `<${v.Ref}>`;
    if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::ImportValue' in v) return `<import:${v['Fn::ImportValue']}>`;
    if ('Fn::Join' in v) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
  }
  throw new Error(`cannot render ${JSON.stringify(value)}`);
}

export interface Statement {
  effect: string;
  actions: string[];
  resources: string[];
}

/** Every statement of the policies attached to a role (inline or managed), rendered. */
export function statementsOfRole(template: Template, roleLogicalId: string): Statement[] {
  const attached = (roles: unknown) =>
    Array.isArray(roles) && roles.some((r) => render(r) === `<${roleLogicalId}>`);
  const policies = [
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
    ...Object.values(template.findResources('AWS::IAM::Policy')),
  ].filter((p) => attached(p.Properties.Roles));
  return policies.flatMap((p) =>
    (p.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map((s) => ({
      effect: s.Effect as string,
      actions: ([] as unknown[]).concat(s.Action).map(String).sort(),
      resources: ([] as unknown[]).concat(s.Resource).map(render),
    })),
  );
}

/** The resource strings of the statements granting `action`. */
export function resourcesFor(statements: Statement[], action: string): string[] {
  return statements
    .filter((s) => s.effect === 'Allow' && s.actions.includes(action))
    .flatMap((s) => s.resources);
}

/**
 * How the stateless stack sees a stateful construct's attribute (`attr`, or its Ref): a rendered
 * CloudFormation import of the stateful stack's export.
 */
export function imported(construct: IConstruct, attr?: string): RegExp {
  const id = logicalId(construct);
  const what = attr ? `FnGetAtt${id}${attr}` : `Ref${id}`;
  return new RegExp(`^<import:${Stack.of(construct).stackName}:ExportsOutput${what}[0-9A-F]{8}>$`);
}
