// Shared pieces of the management pages (alert sources, escalation policies, users): checkboxes and read-only values
// with their API errors, a form's save state, the two-step delete, and reading every page of a paged list.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, type Page } from '../api';
import { FieldErrorText, asApiError, errorId, fieldErrorMessage } from '../ui';
import './manage.css';

interface CheckboxProps {
  id: string;
  label: string;
  /** The API field path whose errors appear next to this checkbox. */
  path: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  error?: ApiError | null;
}

export function CheckboxField(props: CheckboxProps) {
  const invalid = Boolean(fieldErrorMessage(props.error, props.path));
  return html`<div class="field checkbox">
    <input
      id=${props.id}
      type="checkbox"
      checked=${props.checked}
      aria-invalid=${invalid ? 'true' : undefined}
      aria-describedby=${invalid ? errorId(props.id) : undefined}
      onChange=${(e: Event) => props.onChange((e.currentTarget as HTMLInputElement).checked)}
    />
    <label for=${props.id}>${props.label}</label>
    <${FieldErrorText} id=${props.id} error=${props.error} path=${props.path} />
  </div>`;
}

/** A form's request state: one request at a time, its failure kept (banner and field errors) until the next try. */
export function useSubmit() {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState('');
  const run = async <T>(action: () => Promise<T>, done = ''): Promise<T | undefined> => {
    setBusy(true);
    setSaved('');
    try {
      const result = await action();
      setError(null);
      setSaved(done);
      return result;
    } catch (failure) {
      setError(asApiError(failure));
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, saved, run };
}

/** What a save confirms ("Saved."), announced to screen readers without moving focus. */
export function SavedNotice({ text }: { text: string }) {
  return html`<p class="notice" role="status">${text}</p>`;
}

/** Delete in two steps: the first button asks, the second (focused, so Enter confirms and Escape is one Tab away) does it. */
export function DeleteButton({ what, busy, onDelete }: { what: string; busy: boolean; onDelete: () => void }) {
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirm.current?.focus();
  }, [asking]);
  if (!asking) return html`<button type="button" class="danger" onClick=${() => setAsking(true)}>Delete</button>`;
  return html`<div class="confirm" role="group" aria-label="Confirm delete">
    <p>Delete ${what}? This cannot be undone.</p>
    <button type="button" class="danger" ref=${confirm} disabled=${busy} onClick=${onDelete}>Yes, delete</button>
    <button type="button" class="secondary" onClick=${() => setAsking(false)}>Cancel</button>
  </div>`;
}

/** Every item of a paged list, up to `maxPages` pages of 100: a picker needs the whole list, not its first page. */
export async function getAll<T>(path: string, maxPages = 20): Promise<T[]> {
  const items: T[] = [];
  let nextCursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await get<Page<T>>(path, { limit: 100, nextCursor });
    items.push(...answer.items);
    nextCursor = answer.nextCursor;
    if (!nextCursor) break;
  }
  return items;
}

/**
 * An optional text field's value for the API: trimmed text, or when empty `undefined` on create (the field is left
 * out) and `null` on an edit (PUT merges, so only null removes a stored value).
 */
export const optionalText = (text: string, editing: boolean): string | null | undefined => text.trim() || (editing ? null : undefined);

/** A number field's value: the number, or the text as typed so that the API's 400 names the field. */
export const numberOrText = (text: string): number | string => (text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text);

/** The items of a list with one replaced, removed or added, as the rule and contact editors change them. */
export const replaceAt = <T>(items: T[], index: number, item: T): T[] => items.map((old, i) => (i === index ? item : old));
export const removeAt = <T>(items: T[], index: number): T[] => items.filter((_, i) => i !== index);
