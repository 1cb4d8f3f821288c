// The alert's item and its details item: the item every event rewrites stays under 1 KB for a ~500-byte event, the large
// fields live apart, and an alert written before the split (its fields on its item) still reads whole.
import type { Alert } from '../../lambdas/domain/alert';
import { alertDetailsItem, alertFromItem, alertItem } from '../../lambdas/store/alert-rows';
import { itemSize } from '../../lambdas/store/item-size';

const alert: Alert = {
  id: '01JD5ZQ0000000000000000000',
  alertSourceId: '01JD5ZQ1111111111111111111',
  alertKey: 'disk-full/host-42',
  summary: 'Disk usage above 90% on host-42 (/var), growing 2 GB an hour',
  details: 'x'.repeat(400),
  status: 'PENDING',
  priority: 'HIGH',
  images: [{ src: 'https://example.com/graph.png', alt: 'disk usage' }] as Alert['images'],
  links: [{ href: 'https://example.com/runbook', text: 'runbook' }] as Alert['links'],
  customDetails: { host: 'host-42', mount: '/var' } as Alert['customDetails'],
  eventCount: 1,
  createdAt: '2026-12-01T06:00:00.000Z',
  updatedAt: '2026-12-01T06:00:00.000Z',
};

describe('alert rows', () => {
  it('keeps the large fields off the item every event rewrites, which stays under 1 KB', () => {
    const item = alertItem(alert);
    for (const field of ['details', 'images', 'links', 'customDetails']) expect(item).not.toHaveProperty(field);
    expect(itemSize(item)).toBeLessThan(1024);
    expect(alertDetailsItem(alert)).toEqual(expect.objectContaining({ pk: item.pk, sk: 'DETAILS', details: alert.details }));
  });

  it('reads an alert back whole from both items', () => {
    expect(alertFromItem(alertItem(alert), alertDetailsItem(alert))).toEqual(alert);
  });

  it('reads an alert written before the split, its large fields on its item', () => {
    const legacy = { ...alertItem(alert), ...alertDetailsItem(alert), sk: 'ALERT', entity: 'Alert' };
    expect(alertFromItem(legacy)).toEqual(alert);
  });

  it('reads the item alone (the processor) with the large fields empty', () => {
    const hot = alertFromItem(alertItem(alert));
    expect(hot).toEqual({ ...alert, details: undefined, images: [], links: [], customDetails: {} });
  });
});
