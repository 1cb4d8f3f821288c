// DynamoDB's size rules for items and index entries, and an update expression applied to a known item: what the
// capacity counter needs to count a transaction's write units from the items themselves.
import { TABLE_SCHEMA } from './keys';

export type Item = Record<string, unknown>;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** Size of a number: one byte per two significant digits, plus one (leading and trailing zeros do not count). */
function numberSize(n: number | bigint | { value: string }): number {
  const text = typeof n === 'object' ? n.value : String(n);
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return 1 + Math.ceil(Math.max(1, digits.length) / 2);
}

/** Size of one attribute value as DynamoDB counts it (document form, as the document client takes and gives it). */
export function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueSize(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + valueSize(v) + 1, 0);
  if (typeof value === 'object' && 'value' in value && Object.keys(value).length === 1) return numberSize(value as { value: string });
  if (typeof value === 'object') return 3 + Object.entries(value).reduce((sum, [k, v]) => (v === undefined ? sum : sum + utf8(k) + valueSize(v) + 1), 0);
  return 0;
}

/** Size of an item: each attribute's name plus its value. */
export const itemSize = (item: Item): number =>
  Object.entries(item).reduce((sum, [name, value]) => (value === undefined ? sum : sum + utf8(name) + valueSize(value)), 0);

/** Units of `bytes` at `unitBytes` per unit (1 KB per write unit, 4 KB per read unit), at least one. */
export const unitsOf = (bytes: number, unitBytes = 1024): number => Math.max(1, Math.ceil(bytes / unitBytes));

/** An item's entry in one index, if it has the index's keys: its attributes (keys and projection) and its size (+100 bytes). */
function indexEntry(item: Item | undefined, index: { partitionKey: string; sortKey: string }): { attributes: Item; size: number } | undefined {
  if (!item || item[index.partitionKey] === undefined || item[index.sortKey] === undefined) return undefined;
  const names = [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey, index.partitionKey, index.sortKey, ...TABLE_SCHEMA.projection.nonKeyAttributes];
  const attributes = Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]]));
  return { attributes, size: itemSize(attributes) + 100 };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Write units the indexes take when `before` becomes `after` (either may be absent): an entry put or deleted costs
 * one unit per KB; a changed index key costs both; a changed projected attribute re-puts the entry.
 */
export function indexWriteUnits(before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const index of TABLE_SCHEMA.indexes) {
    const old = indexEntry(before, index);
    const now = indexEntry(after, index);
    if (old && now) {
      const keyChanged =
        !same(old.attributes[index.partitionKey], now.attributes[index.partitionKey]) || !same(old.attributes[index.sortKey], now.attributes[index.sortKey]);
      if (keyChanged) units += unitsOf(old.size) + unitsOf(now.size);
      else if (!same(old.attributes, now.attributes)) units += unitsOf(now.size);
    } else if (old) units += unitsOf(old.size);
    else if (now) units += unitsOf(now.size);
  }
  return units;
}

// ---------------------------------------------------------------------------------------------------------------
// Update expressions, as far as the stores write them: SET (values, if_not_exists, list_append, + and -), REMOVE, ADD,
// DELETE, on top-level attributes. Anything else: undefined, and the caller estimates.

/** Splits `text` on commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== '');
}

class Unsupported extends Error {}

interface Expression {
  names: Record<string, string>;
  values: Record<string, unknown>;
}

function attributeName(path: string, expr: Expression): string {
  const name = path.startsWith('#') ? expr.names[path] : path;
  if (name === undefined || !/^[#\w-]+$/.test(path)) throw new Unsupported(path);
  return name;
}

function operand(text: string, item: Item, expr: Expression): unknown {
  const t = text.trim();
  if (t.startsWith(':')) return expr.values[t];
  const call = /^(if_not_exists|list_append)\s*\((.*)\)$/s.exec(t);
  if (call) {
    const [a, b] = splitTopLevel(call[2]);
    if (call[1] === 'if_not_exists') return item[attributeName(a, expr)] ?? operand(b, item, expr);
    return [...((operand(a, item, expr) as unknown[]) ?? []), ...((operand(b, item, expr) as unknown[]) ?? [])];
  }
  return item[attributeName(t, expr)];
}

function setValue(rhs: string, item: Item, expr: Expression): unknown {
  const arithmetic = /^(.+?)\s*([+-])\s*(:[\w]+)$/.exec(rhs.trim());
  if (arithmetic && !arithmetic[1].includes('(')) {
    const a = Number(operand(arithmetic[1], item, expr) ?? 0);
    const b = Number(operand(arithmetic[3], item, expr));
    return arithmetic[2] === '+' ? a + b : a - b;
  }
  return operand(rhs, item, expr);
}

/** The item after `updateExpression`, or undefined when the expression is beyond what this reads. */
export function applyUpdate(item: Item, updateExpression: string, names: Record<string, string> = {}, values: Record<string, unknown> = {}): Item | undefined {
  const expr = { names, values };
  const next: Item = { ...item };
  try {
    const clauses = updateExpression.split(/\b(SET|REMOVE|ADD|DELETE)\b/i).slice(1);
    for (let i = 0; i < clauses.length; i += 2) {
      const verb = clauses[i].toUpperCase();
      for (const action of splitTopLevel(clauses[i + 1])) {
        if (verb === 'SET') {
          const eq = action.indexOf('=');
          next[attributeName(action.slice(0, eq).trim(), expr)] = setValue(action.slice(eq + 1), item, expr);
        } else if (verb === 'REMOVE') delete next[attributeName(action, expr)];
        else {
          const [path, value] = action.split(/\s+/);
          const name = attributeName(path, expr);
          const v = expr.values[value];
          if (typeof v === 'number') next[name] = verb === 'ADD' ? Number(next[name] ?? 0) + v : next[name];
          else if (v instanceof Set) {
            const set = new Set(next[name] instanceof Set ? (next[name] as Set<unknown>) : []);
            for (const e of v)
              if (verb === 'ADD') set.add(e);
              else set.delete(e);
            if (set.size === 0) delete next[name];
            else next[name] = set;
          } else throw new Unsupported(action);
        }
      }
    }
    return next;
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/** A lower bound of the item an update writes when the item before it is unknown: its key and the values it sets. */
export const updateEstimate = (key: Item, values: Record<string, unknown> = {}): Item => ({ ...key, ...values });
