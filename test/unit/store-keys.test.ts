// Which index each listing and look-up reads, and the key conditions it reads it with (lambdas/store/keys.ts).
import { alertKeys, alertListingIndex, indexQueries, indexQuery, logEntryKeys, operatorLogQuery, TABLE_SCHEMA } from '../../lambdas/store/keys';

describe('alertListingIndex', () => {
  it.each([
    [
      'an alert key, whatever else is asked',
      { alertKey: 'disk', alertSourceId: 's-1', statuses: ['PENDING'] },
      'gsi4',
      'AKEY#disk',
      { statuses: false, alertSourceId: false },
    ],
    ['an alert source', { alertSourceId: 's-1', statuses: ['PENDING'] }, 'gsi2', 'SOURCE#s-1', { statuses: false, alertSourceId: true }],
    // One open status: the open alerts' partition, filtered, and older alerts' partition of that status.
    ['a single open status', { statuses: ['ACCEPTED'] }, 'gsi3', 'STATUS#ACCEPTED,STATUS#OPEN', { statuses: false, alertSourceId: false }],
    ['resolved alerts', { statuses: ['RESOLVED'] }, 'gsi3', 'STATUS#RESOLVED', { statuses: true, alertSourceId: false }],
    [
      'both open statuses',
      { statuses: ['PENDING', 'ACCEPTED'] },
      'gsi3',
      'STATUS#ACCEPTED,STATUS#OPEN,STATUS#PENDING',
      { statuses: true, alertSourceId: false },
    ],
    ['no filter', {}, 'gsi3', 'STATUS#ACCEPTED,STATUS#OPEN,STATUS#PENDING,STATUS#RESOLVED', { statuses: true, alertSourceId: false }],
  ])('reads the most selective index for %s', (_, filter, index, partitions, covers) => {
    expect(alertListingIndex(filter)).toEqual({ index, partitions: partitions.split(','), covers });
  });

  it('lists an alert on the partition of every index it can be chosen by', () => {
    const alert = { id: 'a-1', alertSourceId: 's-1', status: 'PENDING', alertKeyNormalized: 'disk', createdAt: '2026-01-01T00:00:00.000Z' };
    const attributes: Record<string, string> = alertKeys.indexes(alert);
    for (const filter of [{ alertKey: 'disk' }, { alertSourceId: 's-1' }, { statuses: ['PENDING'] }, {}]) {
      const { index, partitions } = alertListingIndex(filter);
      expect(partitions).toContain(attributes[`${index}pk`]);
    }
    // Not on gsi1: the listing of all alerts merges the status partitions.
    expect(attributes.gsi1pk).toBeUndefined();
  });
});

describe('index key conditions', () => {
  it("bounds the sort key strictly before or after a position, on the index's own attributes", () => {
    expect(indexQuery('gsi3', 'STATUS#PENDING', { before: 'p' })).toEqual({
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :bound',
      ExpressionAttributeValues: { ':pk': 'STATUS#PENDING', ':bound': 'p' },
    });
    expect(indexQuery('gsi2', 'LOG#a-1', { after: 'p' }).KeyConditionExpression).toBe('gsi2pk = :pk AND gsi2sk > :bound');
    expect(indexQuery('gsi1', 'ALERTS')).toEqual({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': 'ALERTS' } });
  });

  it('gives the four uses of gsi2 partitions that cannot meet', () => {
    const partitions = [
      indexQueries.sourceByIntegrationKey('k-1'),
      indexQueries.queuedEvents('s-1'),
      indexQueries.eventLogEntries('a-1'),
      indexQuery('gsi2', alertListingIndex({ alertSourceId: 's-1' }).partitions[0]),
    ].map((q) => {
      expect(q.IndexName).toBe('gsi2');
      return String(q.ExpressionAttributeValues[':pk']);
    });
    expect(new Set(partitions.map((p) => p.split('#')[0])).size).toBe(4);
    expect(partitions[2]).toBe(logEntryKeys.onEvent('a-1', '2026-01-01T00:00:00.000Z', 'l-1').gsi2pk);
  });

  it("reads an alert's operator log on the table, from a position to past its last entry", () => {
    expect(operatorLogQuery('a-1', '2026-01-01T00:00:00.000Z#l-1').ExpressionAttributeValues).toEqual({
      ':pk': 'ALERT#a-1',
      ':from': 'LOG#2026-01-01T00:00:00.000Z#l-1',
      ':to': 'LOG$',
    });
    expect(operatorLogQuery('a-1').ExpressionAttributeValues[':from']).toBe('LOG#');
  });

  it('names only indexes the table has', () => {
    const names = TABLE_SCHEMA.indexes.map((i) => i.name as string);
    for (const q of [indexQueries.kind('SOURCES'), indexQueries.queuedEvents('s'), indexQueries.eventLogEntries('a', 'p')])
      expect(names).toContain(q.IndexName);
  });
});
