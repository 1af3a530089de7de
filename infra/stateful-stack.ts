import { ArnFormat, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../functions/adapters/dynamodb/table-definition.ts';
import type { Stage, StageConfig } from './config.ts';
import { StaffUserPool } from './constructs/staff-user-pool.ts';

export interface StatefulStackProps extends StackProps {
  readonly stage: Stage;
  readonly config: StageConfig;
}

/** What outlives a deployment: the table, the keys, the topics people subscribe to, the staff accounts. */
export class StatefulStack extends Stack {
  public readonly table: Table;
  /** Encrypts the table. */
  public readonly tableKey: Key;
  /** Encrypts the topics and the dead-letter queues. */
  public readonly messagingKey: Key;
  /** Encrypts the functions' log groups. */
  public readonly logsKey: Key;
  /** Disengagement flags and missed-session alerts for clinicians. */
  public readonly careTeamTopic: Topic;
  /** Alarms for whoever runs the deployment. */
  public readonly opsTopic: Topic;
  /** The staff accounts the API's JWT authorizer trusts. */
  public readonly staff: StaffUserPool;
  /** RETAIN in prod, DESTROY in dev; the stateless stack applies it to its logs and queues too. */
  public readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { stage, config } = props;
    this.removalPolicy = stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.tableKey = this.newKey('TableKey', `alias/cadence-${stage}/table`, 'Cadence table encryption');
    this.messagingKey = this.newKey(
      'MessagingKey',
      `alias/cadence-${stage}/messaging`,
      'Cadence topics and queues',
    );
    this.logsKey = this.newKey('LogsKey', `alias/cadence-${stage}/logs`, 'Cadence log groups');

    // Alarms publish to the encrypted ops topic as the CloudWatch service.
    this.messagingKey.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey',
    );
    this.logsKey.grant(
      new ServicePrincipal(`logs.${this.region}.amazonaws.com`).withConditions({
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': this.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '/cadence/*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      }),
      'kms:Encrypt',
      'kms:Decrypt',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
      'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:DescribeKey',
    );

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_DEFINITION.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_DEFINITION.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.tableKey,
      deletionProtection: stage === 'prod',
      removalPolicy: this.removalPolicy,
    });
    for (const index of TABLE_DEFINITION.globalIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      });
    }
    Validations.of(this.table).acknowledge({
      id: 'HIPAA.Security-DynamoDBInBackupPlan',
      reason:
        'Point-in-time recovery (35 days, continuous) is on; an AWS Backup plan is left to the account owner (docs/deploy.md)',
    });

    this.careTeamTopic = new Topic(this, 'CareTeamTopic', {
      topicName: `cadence-${stage}-care-team`,
      displayName: 'Cadence care team',
      masterKey: this.messagingKey,
      enforceSSL: true,
    });
    for (const email of config.careTeamEmails)
      this.careTeamTopic.addSubscription(new EmailSubscription(email));

    this.opsTopic = new Topic(this, 'OpsTopic', {
      topicName: `cadence-${stage}-ops`,
      displayName: 'Cadence operations',
      masterKey: this.messagingKey,
      enforceSSL: true,
    });
    for (const email of config.opsEmails) this.opsTopic.addSubscription(new EmailSubscription(email));

    this.staff = new StaffUserPool(this, 'Staff', { stage, removalPolicy: this.removalPolicy });
  }

  private newKey(id: string, alias: string, description: string): Key {
    return new Key(this, id, {
      alias,
      description,
      enableKeyRotation: true,
      removalPolicy: this.removalPolicy,
    });
  }
}
