import { CfnOutput, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { type CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
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
  /** The staff user pool (see StaffUserPool): the JWT issuer. */
  readonly userPool: IUserPool;
  /** Its dashboard client: the JWT audience. */
  readonly userPoolClient: IUserPoolClient;
  readonly stage: string;
  readonly logsKey: IKey;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** @default 20 requests per second, bursts of 40 */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
}

/**
 * The clinicians' HTTP API: API Gateway HTTP API with a JWT authorizer (the staff user pool's
 * tokens for the dashboard client) on every route, all routes on one Lambda integration, access
 * logs to an encrypted log group, and throttling on the default stage.
 */
export class CadenceApi extends Construct {
  public readonly httpApi: HttpApi;
  public readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: CadenceApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: props.removalPolicy,
    });
    // Clients send the ID token: it carries cognito:groups and custom:programs, which the API reads.
    const authorizer = new HttpUserPoolAuthorizer('Staff', props.userPool, {
      userPoolClients: [props.userPoolClient],
    });
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
    new CfnOutput(scope, 'ApiUrl', { value: this.httpApi.apiEndpoint });
  }
}
