// The local poller's fault injection: acknowledgements are dropped by a seeded chance, the same batches on every run.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { parseFaultSeed, seededRandom, startPollers } from '../../local/poller';
import { waitFor } from '../support/wait-for';

/** A queue of `batches` one-message batches, then empty ones; it records which batches were deleted. */
function fakeQueue(batches: number) {
  let received = 0;
  const deleted: string[] = [];
  const sqs = {
    send: async (command: unknown) => {
      await new Promise((r) => setImmediate(r));
      if (command instanceof ReceiveMessageCommand) {
        if (received >= batches) return { Messages: [] };
        received++;
        return { Messages: [{ MessageId: `m${received}`, ReceiptHandle: `h${received}`, Body: '{}' }] };
      }
      if (command instanceof DeleteMessageBatchCommand) deleted.push(...command.input.Entries!.map((e) => e.ReceiptHandle!));
      return {};
    },
  } as unknown as SQSClient;
  return { sqs, deleted, handled: () => received };
}

/** Runs one poller over `batches` batches with half the acknowledgements dropped; returns the receipt handles deleted. */
async function run(batches: number, faultSeed?: number) {
  const queue = fakeQueue(batches);
  let handled = 0;
  const pollers = startPollers({
    sqs: queue.sqs,
    queueUrl: 'http://local/000000000000/q.fifo',
    count: 1,
    loseAcks: 0.5,
    faultSeed,
    handler: async () => void handled++,
    onError: () => undefined,
  });
  await waitFor(() => handled === batches, { timeoutMs: 5_000, what: `${batches} batches handled` });
  await pollers.stop();
  return queue.deleted;
}

describe('seededRandom', () => {
  it('repeats its sequence for a seed, stays in [0, 1), and differs between seeds', () => {
    const draw = (seed: number) => {
      const next = seededRandom(seed);
      return Array.from({ length: 1000 }, () => next());
    };
    expect(draw(9)).toEqual(draw(9));
    expect(draw(9)).not.toEqual(draw(10));
    expect(draw(9).every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('dropped acknowledgements', () => {
  it('drop the same batches on every run with a seed (seed 9: the first, the third, the seventh...)', async () => {
    const expected = ['h2', 'h4', 'h5', 'h6', 'h8'];
    expect(await run(8, 9)).toEqual(expected);
    expect(await run(8, 9)).toEqual(expected);
  });

  it('take their seed from LOCAL_FAULT_SEED as the runtime passes it, unset or empty meaning none', async () => {
    expect(await run(8, parseFaultSeed('9'))).toEqual(['h2', 'h4', 'h5', 'h6', 'h8']);
    expect([parseFaultSeed(undefined), parseFaultSeed('')]).toEqual([undefined, undefined]);
  });

  it('refuse a LOCAL_FAULT_SEED that is not a non-negative integer', () => {
    expect(() => parseFaultSeed('nine')).toThrow(/LOCAL_FAULT_SEED must be a non-negative integer, got "nine"/);
  });
});
