// How the alerts list folds a fresh first page into the rows on screen (pure: a node test checks it).

export interface Row {
  id: string;
  createdAt: string;
}

export interface Rows<T extends Row> {
  items: T[];
  /** Where "Load more" continues: the first page's cursor, or the last loaded page's. */
  cursor?: string;
  /** True once a page beyond the first was loaded: a refresh then keeps those rows. */
  extended: boolean;
}

/**
 * The list is newest first. A refresh reads only the first page: rows newer than its last row that it no longer
 * holds left the filter (accepted, resolved) and go; older rows were only pushed down by new alerts, and stay.
 */
export function mergeFirstPage<T extends Row>(first: { items: T[]; nextCursor?: string }, current: Rows<T>): Rows<T> {
  if (!current.extended || !first.nextCursor) return { items: first.items, cursor: first.nextCursor, extended: false };
  const boundary = first.items.at(-1)?.createdAt ?? '';
  const fresh = new Set(first.items.map((row) => row.id));
  const older = current.items.filter((row) => !fresh.has(row.id) && row.createdAt < boundary);
  return { items: [...first.items, ...older], cursor: current.cursor, extended: true };
}

/** Appends a further page, skipping rows already shown (a new alert can shift a row across the page boundary). */
export function appendPage<T extends Row>(next: { items: T[]; nextCursor?: string }, current: Rows<T>): Rows<T> {
  const seen = new Set(current.items.map((row) => row.id));
  return { items: [...current.items, ...next.items.filter((row) => !seen.has(row.id))], cursor: next.nextCursor, extended: true };
}
