// Each function invocation measured (shared/usage.ts): what it consumed of DynamoDB and SQS, as a metric per invocation in
// AWS (ConsumedWriteUnits, ConsumedReadUnits: one datapoint each, whatever the number of calls), as totals per process
// for the local runtime and the benchmark.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FunctionName } from '../contract';
import { measured, usageTotals, type Usage } from '../shared/usage';
import { metrics } from './clients';

export { usageTotals, type Usage };

/** Capacity units are multiples of 0.5: one decimal keeps them exact. */
const units = (n: number) => Math.round(n * 10) / 10;

/**
 * `run` measured as one invocation of `name`. `withMetrics`: adds the units to the function's metrics, for handlers
 * whose middlewares flush them after each invocation.
 */
export function withUsage<A extends unknown[], R>(name: FunctionName, run: (...args: A) => Promise<R>, withMetrics = true): (...args: A) => Promise<R> {
  const onDone = withMetrics
    ? (usage: Usage) => {
        metrics.addMetric('ConsumedWriteUnits', MetricUnit.Count, units(usage.wru));
        metrics.addMetric('ConsumedReadUnits', MetricUnit.Count, units(usage.rru));
      }
    : undefined;
  return (...args: A) => measured(name, () => run(...args), onDone);
}
