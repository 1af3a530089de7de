import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../functions/adapters/dynamodb/table-definition.ts';
import type { JobTarget } from '../functions/ports/job-scheduler.port.ts';
import type { CareTeamMember, Stage, StageConfig } from './config.ts';
import { InboundSmsTopic } from './constructs/inbound-sms.ts';
import { ScheduleGroup } from './constructs/schedule-group.ts';
import { SmsQueues } from './constructs/sms-queues.ts';
import { StaffUserPool } from './constructs/staff-user-pool.ts';
import { deployedFunctionName, functionArn } from './functions.ts';

export interface StatefulStackProps extends StackProps {
  readonly stage: Stage;
  readonly config: StageConfig;
  /** Every function a schedule invokes (scheduledTargets in infra/functions.ts). */
  readonly scheduledTargets: readonly JobTarget[];
}

/** Backups of the table in prod: AWS Backup, daily, kept this long (PITR covers the last 35 days too). */
export const TABLE_BACKUP = { retention: Duration.days(35), hourUtc: 5 } as const;

/**
 * What outlives a deployment: the table, the keys, the topics people subscribe to, the staff
 * accounts, the schedule group and the SMS queues.
 */
export class StatefulStack extends Stack {
  public readonly table: Table;
  /** Encrypts the table. */
  public readonly tableKey: Key;
  /** Encrypts the topics, the dead-letter queues and the SMS queues. */
  public readonly messagingKey: Key;
  /** Encrypts the functions' log groups. */
  public readonly logsKey: Key;
  /** Disengagement flags and missed-session alerts for clinicians. */
  public readonly careTeamTopic: Topic;
  /** Alarms for whoever runs the deployment. */
  public readonly opsTopic: Topic;
  /** Clients' SMS replies, published by End User Messaging two-way messaging, with a key of their own. */
  public readonly inboundSms: InboundSmsTopic;
  /** The staff accounts the API's JWT authorizer trusts. */
  public readonly staff: StaffUserPool;
  /** The schedule group (pending reminders), the role schedules run as, and their dead-letter queue. */
  public readonly scheduleGroup: ScheduleGroup;
  /** Paced sending: the drainers' FIFO wake-up queue, its dead-letter queue, and the SMS given up. */
  public readonly smsQueues: SmsQueues;
  /** The table's daily backups (prod only). */
  public readonly backupPlan?: BackupPlan;
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
    if (stage === 'prod') {
      this.backupPlan = this.backUpDaily(stage, this.table);
    } else {
      Validations.of(this.table).acknowledge({
        id: 'HIPAA.Security-DynamoDBInBackupPlan',
        reason:
          'dev holds demo data only and is destroyed with its stack; point-in-time recovery is on; prod has the AWS Backup plan',
      });
    }

    this.careTeamTopic = new Topic(this, 'CareTeamTopic', {
      topicName: `cadence-${stage}-care-team`,
      displayName: 'Cadence care team',
      masterKey: this.messagingKey,
      enforceSSL: true,
    });
    for (const member of config.careTeam) this.subscribeCareTeamMember(member);

    this.opsTopic = new Topic(this, 'OpsTopic', {
      topicName: `cadence-${stage}-ops`,
      displayName: 'Cadence operations',
      masterKey: this.messagingKey,
      enforceSSL: true,
    });
    for (const email of config.opsEmails) this.opsTopic.addSubscription(new EmailSubscription(email));

    this.inboundSms = new InboundSmsTopic(this, 'InboundSms', { stage, removalPolicy: this.removalPolicy });

    this.staff = new StaffUserPool(this, 'Staff', {
      stage,
      removalPolicy: this.removalPolicy,
      deletionProtection: stage === 'prod',
    });

    this.scheduleGroup = new ScheduleGroup(this, 'Schedules', {
      groupName: `cadence-${stage}`,
      queueKey: this.messagingKey,
      removalPolicy: this.removalPolicy,
      targets: props.scheduledTargets,
      // The functions live in the stateless stack; their fixed names make their ARNs.
      targetArn: (target) => functionArn(this, deployedFunctionName(stage, target)),
    });
    new CfnOutput(this, 'ScheduleGroup', { value: this.scheduleGroup.groupName });

    this.smsQueues = new SmsQueues(this, 'SmsQueues', {
      stage,
      key: this.messagingKey,
      removalPolicy: this.removalPolicy,
    });
  }

  /**
   * An e-mail subscription that admits only the member's programs' alerts: the notifier publishes
   * every alert with a `program` message attribute (functions/adapters/aws/sns-notifier.adapter.ts).
   */
  private subscribeCareTeamMember(member: CareTeamMember): void {
    this.careTeamTopic.addSubscription(
      new EmailSubscription(member.email, {
        filterPolicy: { program: SubscriptionFilter.stringFilter({ allowlist: [...member.programs] }) },
      }),
    );
  }

  /** A daily AWS Backup of the table into a vault encrypted with the table's key, kept 35 days. */
  private backUpDaily(stage: Stage, table: Table): BackupPlan {
    const vault = new BackupVault(this, 'BackupVault', {
      backupVaultName: `cadence-${stage}`,
      encryptionKey: this.tableKey,
      removalPolicy: this.removalPolicy,
    });
    const plan = new BackupPlan(this, 'BackupPlan', {
      backupPlanName: `cadence-${stage}-table`,
      backupVault: vault,
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: Schedule.cron({ hour: String(TABLE_BACKUP.hourUtc), minute: '0' }),
          deleteAfter: TABLE_BACKUP.retention,
        }),
      ],
    });
    const selection = plan.addSelection('Table', { resources: [BackupResource.fromDynamoDbTable(table)] });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        "AWS Backup's own service-role policy for taking backups, kept current by AWS as the services it backs up change; the role is assumable by backup.amazonaws.com only",
    });
    return plan;
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
