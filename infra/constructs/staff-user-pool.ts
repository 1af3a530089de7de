import { CfnOutput, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnUserPoolGroup,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

/** The staff roles (Cognito groups); the API reads them from `cognito:groups`. */
export const STAFF_GROUPS = ['clinician', 'admin'] as const;
/** The custom attribute holding a clinician's program ids, comma-separated; `custom:programs` in tokens. */
export const PROGRAMS_ATTRIBUTE = 'programs';

export interface StaffUserPoolProps {
  readonly stage: string;
  /** RETAIN keeps the staff accounts (and their MFA enrolments) when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** Refuses DeleteUserPool until it is turned off (as the table's deletion protection). */
  readonly deletionProtection: boolean;
}

/**
 * Who may call the staff API: a Cognito user pool (accounts made by an administrator, MFA with an
 * authenticator app required, full-function threat protection), the groups clinician and admin, a
 * `programs` attribute scoping a clinician, and the dashboard's app client. It holds state (the
 * accounts), so it lives in the stateful stack; the stateless stack's JWT authorizer trusts it.
 */
export class StaffUserPool extends Construct {
  public readonly userPool: UserPool;
  /** The dashboard's client: the JWT authorizer's audience. */
  public readonly client: UserPoolClient;

  constructor(scope: Construct, id: string, props: StaffUserPoolProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Pool', {
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
      customAttributes: { [PROGRAMS_ATTRIBUTE]: new StringAttribute({ mutable: true, maxLen: 2048 }) },
      removalPolicy: props.removalPolicy,
      deletionProtection: props.deletionProtection,
    });
    for (const group of STAFF_GROUPS) {
      new CfnUserPoolGroup(this, `${group}Group`, { userPoolId: this.userPool.userPoolId, groupName: group });
    }
    this.client = this.userPool.addClient('Dashboard', {
      authFlows: { userSrp: true },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // The ID token carries exactly the attributes the client may read: custom:programs must be one.
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(PROGRAMS_ATTRIBUTE),
      // A signed-in user may change their display name only: programs (their authorization) and the
      // sign-in e-mail change through an administrator (AdminUpdateUserAttributes).
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });
    const stack = Stack.of(this);
    new CfnOutput(stack, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(stack, 'UserPoolClientId', { value: this.client.userPoolClientId });
  }
}
