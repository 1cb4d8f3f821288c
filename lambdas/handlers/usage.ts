// Each function invocation measured (shared/usage.ts): what it consumed of DynamoDB and SQS, as metrics in AWS
// (ConsumedWriteUnits, ConsumedReadUnits: one datapoint each per invocation, whatever the number of calls, or added into
// a handler's own counters), as totals per process for the local runtime and the benchmark.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FunctionName } from '../contract';
import { measured, usageTotals, type Usage } from '../shared/usage';
import { metrics } from './clients';

export { usageTotals, type Usage };

/** Capacity units are multiples of 0.5: one decimal keeps them exact. */
const units = (n: number) => Math.round(n * 10) / 10;

/** Takes an invocation's ConsumedWriteUnits and ConsumedReadUnits, by metric name. */
export type UnitsSink = (name: 'ConsumedWriteUnits' | 'ConsumedReadUnits', value: number) => void;

const toMetrics: UnitsSink = (name, value) => metrics.addMetric(name, MetricUnit.Count, value);

/**
 * `run` measured as one invocation of `name`. `withMetrics`: true adds the units to the function's metrics, for
 * handlers whose middlewares flush them after each invocation; a sink takes them instead (ingest's counters); false
 * publishes none.
 */
export function withUsage<A extends unknown[], R>(
  name: FunctionName,
  run: (...args: A) => Promise<R>,
  withMetrics: boolean | UnitsSink = true,
): (...args: A) => Promise<R> {
  const sink = withMetrics === true ? toMetrics : withMetrics || undefined;
  const onDone = sink
    ? (usage: Usage) => {
        sink('ConsumedWriteUnits', units(usage.wru));
        sink('ConsumedReadUnits', units(usage.rru));
      }
    : undefined;
  return (...args: A) => measured(name, () => run(...args), onDone);
}
