import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { ensureWebBuild } from '../web/build.ts';
import { defineCadence } from './cadence.ts';
import { loadStageConfig } from './config.ts';

// Every cdk command (synth, diff, deploy) ships a current web app: built here when web/dist is
// missing or older than web/src (about a second, offline).
await ensureWebBuild((line) => console.error(line));

const app = new App();
const { stage, config } = loadStageConfig(app.node.tryGetContext('stage') ?? 'dev');
defineCadence(app, { stage, config });

// cdk-nag 3 packs are CDK validation plugins (not Aspects): an unacknowledged error stops synthesis.
// Acknowledgements are copied into the template metadata (cdk_nag) as an audit trail.
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
  new HIPAASecurityChecks(app),
);

app.synth();
