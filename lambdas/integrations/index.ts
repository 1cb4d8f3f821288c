// The registry of inbound adapters: which tool's payload the generic route POST /api/events/{type}/{apiKey} takes.
import type { InboundAdapter, InboundDeps, InboundType } from './adapter';
import { createAlertmanagerAdapter } from './alertmanager';
import { createCloudWatchAdapter } from './cloudwatch';
import { createGrafanaAdapter } from './grafana';
import { createPagerDutyAdapter } from './pagerduty';

export { MAX_INBOUND_EVENTS } from './alert-webhook';

export function createInboundAdapters(deps: InboundDeps): Partial<Record<InboundType, InboundAdapter>> {
  return {
    alertmanager: createAlertmanagerAdapter(),
    grafana: createGrafanaAdapter(),
    pagerduty: createPagerDutyAdapter(),
    cloudwatch: createCloudWatchAdapter(deps),
  };
}
