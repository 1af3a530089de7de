import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { phoneSchema } from '../functions/domain/common.schema.ts';
import { smsKeyword } from '../functions/domain/inbound-sms.ts';
import { describeIssues } from '../functions/handlers/validation.ts';
import { type InboundOutcome, receiveSms } from '../functions/use-cases/inbound-sms.ts';
import type { LocalSystem } from './adapters/local-deps.ts';
import { requestUrl, type WebHandler } from './http-adapter.ts';

/** The local-only route a person texts in through (npm run sms); never part of the Lambda build. */
export const TEXT_IN_PATH = '/local/sms';
/** The number clients text locally: the program's origination number, as AWS would name it. */
export const LOCAL_PROGRAM_NUMBER = '+12025550100';

export const textInSchema = z
  .object({
    from: phoneSchema,
    text: z.string().max(1600),
    /** The message being answered (an `sms.sent` messageId), as a carrier names it. */
    replyTo: z.string().max(128).optional(),
  })
  .strict();
export type TextIn = z.infer<typeof textInSchema>;

/**
 * A client's SMS, as AWS End User Messaging would deliver it: the carrier blocks the number on
 * STOP first (as it does in AWS), then the same use case the inbound Lambda calls reads it.
 */
export async function textIn(system: LocalSystem, message: TextIn): Promise<InboundOutcome> {
  if (smsKeyword(message.text) === 'stop') system.notifier.markOptedOut(message.from, true);
  return receiveSms(system.deps, {
    originationNumber: message.from,
    destinationNumber: LOCAL_PROGRAM_NUMBER,
    messageBody: message.text,
    inboundMessageId: `local-in-${randomUUID()}`,
    ...(message.replyTo ? { previousPublishedMessageId: message.replyTo } : {}),
  });
}

/** `POST /local/sms` with `{ "from": "+12025550101", "text": "C" }`: answers with what the text did. */
export function textInRoute(
  system: LocalSystem,
  print: (line: string) => void,
  /** Runs what the text set in motion before answering (the runtime fires the due jobs: the SMS drain). */
  settle: () => Promise<void> = async () => undefined,
): WebHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = requestUrl(req.url)?.pathname;
    if (pathname !== TEXT_IN_PATH) return false;
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      answer(405, { message: `${TEXT_IN_PATH}: POST a JSON body { from, text }` });
      return true;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      answer(400, { message: 'body: expected JSON like {"from":"+12025550101","text":"C"}' });
      return true;
    }
    const parsed = textInSchema.safeParse(json);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      answer(400, { message: issues.join('; '), issues });
      return true;
    }
    print(`📨 SMS ${system.clock.now()} from ${parsed.data.from}: ${parsed.data.text}`);
    const outcome = await textIn(system, parsed.data);
    if ('ignored' in outcome) print(`   (not a client's number: ignored, not answered)`);
    await settle();
    answer(200, outcome);
    return true;
  };
}
