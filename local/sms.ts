import { parseArgs } from 'node:util';
import { findRunning } from './running.ts';
import { TEXT_IN_PATH } from './text-in.ts';

const USAGE = 'usage: npm run sms -- --from +12025550101 [--reply-to MESSAGE_ID] "C"';

/** npm run sms -- --from +12025550101 "C": texts the running `npm start` as that client would. */
async function main() {
  const { values, positionals } = parseArgs({
    options: { from: { type: 'string' }, 'reply-to': { type: 'string' }, port: { type: 'string' } },
    allowPositionals: true,
  });
  if (!values.from || positionals.length === 0) {
    console.error(USAGE);
    process.exit(2);
  }
  const port = values.port ?? process.env.PORT ?? findRunning()?.port;
  if (!port) {
    console.error('Cadence is not running: start it with npm start (or pass --port).');
    process.exit(1);
  }
  const res = await fetch(`http://127.0.0.1:${port}${TEXT_IN_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      from: values.from,
      text: positionals.join(' '),
      ...(values['reply-to'] ? { replyTo: values['reply-to'] } : {}),
    }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) {
    console.error(`refused (${res.status}): ${body.message}`);
    process.exit(2);
  }
  console.log(
    'ignored' in body
      ? `${values.from} is no client's number: ignored (never answered)`
      : `read as ${body.keyword} for ${body.clientId} (${body.programId}): ${body.effect}. The answer, if any, is on the npm start console.`,
  );
}

main().catch((error) => {
  console.error(`npm run sms failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
