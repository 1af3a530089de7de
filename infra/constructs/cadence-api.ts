import { CfnOutput, Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
} from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Route } from '../../functions/handlers/api/http.ts';
import type { CadenceFunction } from './cadence-function.ts';

export interface CadenceApiProps {
  /** The Lambda that serves every route. */
  readonly handler: CadenceFunction;
  /** Every route of the API (functions/handlers/api/routes.ts): one HTTP API route each. */
  readonly routes: readonly Pick<Route, 'method' | 'path'>[];
  readonly stage: string;
  readonly logsKey: IKey;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** @default 20 requests per second, bursts of 40 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

/** The staff roles; `custom:programs` (comma-separated program ids) scopes a clinician. */
export const STAFF_GROUPS = ['clinician', 'admin'] as const;

/**
 * The clinicians' HTTP API: API Gateway HTTP API, a Cognito user pool (MFA required, groups
 * clinician and admin, a `programs` attribute) and a JWT authorizer on every route, access logs
 * to an encrypted log group, and throttling on the default stage.
 */
export class CadenceApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly userPool: UserPool;
  public readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: CadenceApiProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Staff', {
      userPoolName: `cadence-${props.stage}-staff`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      customAttributes: { programs: new StringAttribute({ mutable: true, maxLen: 2048 }) },
      removalPolicy: props.removalPolicy,
    });
    for (const group of STAFF_GROUPS) {
      new CfnUserPoolGroup(this, `${group}Group`, { userPoolId: this.userPool.userPoolId, groupName: group });
    }
    const client = this.userPool.addClient('Dashboard', {
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // Only an admin may set a clinician's programs.
      writeAttributes: undefined,
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: props.removalPolicy,
    });
    // The ID token carries cognito:groups and custom:programs, which the API reads.
    const authorizer = new HttpUserPoolAuthorizer('Staff', this.userPool, { userPoolClients: [client] });
    this.httpApi = new HttpApi(this, 'Http', {
      apiName: `cadence-${props.stage}`,
      description: 'Cadence staff API',
      defaultAuthorizer: authorizer,
    });
    const throttle = props.throttle ?? { rateLimit: 20, burstLimit: 40 };
    const stage = this.httpApi.defaultStage!.node.defaultChild as CfnStage;
    stage.defaultRouteSettings = {
      throttlingRateLimit: throttle.rateLimit,
      throttlingBurstLimit: throttle.burstLimit,
    };
    stage.accessLogSettings = {
      destinationArn: this.accessLogs.logGroupArn,
      format: AccessLogFormat.jsonWithStandardFields().toString(),
    };
    const integration = new HttpLambdaIntegration('Handler', props.handler);
    for (const route of props.routes) {
      this.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG3',
      reason: 'Threat protection is on in full-function mode through the Plus feature plan',
    });
    new CfnOutput(scope, 'ApiUrl', { value: this.httpApi.apiEndpoint });
    new CfnOutput(scope, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(scope, 'UserPoolClientId', { value: client.userPoolClientId });
  }
}
