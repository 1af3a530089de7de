import {
  CheckIfPhoneNumberIsOptedOutCommand,
  OptInPhoneNumberCommand,
  PublishCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import {
  type CareTeamAlert,
  type CareTeamNotifier,
  OptInRefusedError,
  type SmsSender,
} from '../../ports/notifier.port.ts';

export interface SnsSmsConfig {
  senderId?: string | undefined;
  originationNumber?: string | undefined;
  maxPrice?: string | undefined;
}

/** Client SMS straight to the phone number, as Transactional, with the configured origination identity. */
export class SnsSmsSender implements SmsSender {
  constructor(
    private readonly client: SNSClient,
    private readonly config: SnsSmsConfig,
  ) {}

  async send(message: { to: string; body: string; from?: string }): Promise<{ messageId: string }> {
    const attribute = (StringValue: string) => ({ DataType: 'String', StringValue });
    const result = await this.client.send(
      new PublishCommand({
        PhoneNumber: message.to,
        Message: message.body,
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': attribute('Transactional'),
          ...(this.config.senderId ? { 'AWS.SNS.SMS.SenderID': attribute(this.config.senderId) } : {}),
          ...((message.from ?? this.config.originationNumber)
            ? { 'AWS.MM.SMS.OriginationNumber': attribute(message.from ?? this.config.originationNumber!) }
            : {}),
          ...(this.config.maxPrice
            ? { 'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: this.config.maxPrice } }
            : {}),
        },
      }),
    );
    if (!result.MessageId) throw new Error('SNS returned no MessageId');
    return { messageId: result.MessageId };
  }

  async isOptedOut(phone: string): Promise<boolean> {
    const result = await this.client.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: phone }));
    return result.isOptedOut === true;
  }

  async optIn(phone: string): Promise<void> {
    try {
      await this.client.send(new OptInPhoneNumberCommand({ phoneNumber: phone }));
    } catch (error) {
      // SNS answers InvalidParameter when the number was opted in less than 30 days ago.
      if (error instanceof Error && error.name === 'InvalidParameterException')
        throw new OptInRefusedError('the carrier opt-out of this number can be lifted once every 30 days');
      throw error;
    }
  }
}

/**
 * Care-team alerts to the topic, with program, severity and category attributes for subscription
 * filter policies. The reason stays out: a screen's outcome is never in an attribute or subject.
 */
export class SnsCareTeamNotifier implements CareTeamNotifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async alert(alert: CareTeamAlert): Promise<{ messageId: string }> {
    const result = await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: alert.subject,
        Message: alert.body,
        MessageAttributes: {
          program: { DataType: 'String', StringValue: alert.programId },
          severity: { DataType: 'String', StringValue: alert.severity },
          category: { DataType: 'String', StringValue: alert.category },
        },
      }),
    );
    if (!result.MessageId) throw new Error('SNS returned no MessageId');
    return { messageId: result.MessageId };
  }
}
