// The README's cost section shows the table `npm run bench` prints (bench/cost.ts), whole: a row per kind of event and
// the mix, every cell a figure, the mix within the targets the README states.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COST_MIX_LABEL, EVENT_KINDS } from '../../bench/cost';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('### Cost per million events'), readme.indexOf('\n## ', readme.indexOf('### Cost per million events')));
const rows = section
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| event '))
  .map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
const row = (kind: string) => rows.find((cells) => cells[0] === kind);

it('has the measured row of every kind of event and of the mix, every cell a figure', () => {
  for (const kind of [...EVENT_KINDS, COST_MIX_LABEL]) {
    expect(row(kind)).toHaveLength(12);
    for (const cell of row(kind)!.slice(1)) expect(cell).toMatch(/^\d+(\.\d+)?$/);
  }
});

it('shows the mix within 4 write units, 1 read unit and $4.50 per million events', () => {
  const mix = row(COST_MIX_LABEL)!.map(Number);
  expect(mix[1]).toBeLessThanOrEqual(4);
  expect(mix[2]).toBeLessThanOrEqual(1);
  expect(mix[11]).toBeLessThanOrEqual(4.5);
});
