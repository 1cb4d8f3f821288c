// Small shared pieces of the pages: form fields with their API errors, the error banner, loading data, times.
import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

/** Any thrown value as an ApiError, so every page shows failures the same way. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'CLIENT_ERROR', error instanceof Error ? error.message : String(error));
}

/** The API's messages for a field: its own path and anything under it (`contacts.1` covers `contacts.1.target`). */
export function fieldErrorMessage(error: ApiError | null | undefined, path: string): string | undefined {
  const messages = (error?.errors ?? []).filter((e) => e.path === path || e.path.startsWith(`${path}.`)).map((e) => e.message);
  return messages.length ? messages.join('; ') : undefined;
}

export const errorId = (id: string) => `${id}-error`;

/** The error text of one control; give the control `aria-describedby=${errorId(id)}` when the text is there. */
export function FieldErrorText({ id, error, path }: { id: string; error?: ApiError | null; path: string }) {
  const message = fieldErrorMessage(error, path);
  return message ? html`<p class="field-error" id=${errorId(id)} role="alert">${message}</p>` : null;
}

interface FieldProps {
  id: string;
  label: string;
  /** The API field path whose errors appear under this field. */
  path: string;
  value: string;
  onInput: (value: string) => void;
  error?: ApiError | null;
  type?: string;
  required?: boolean;
  placeholder?: string;
  autocomplete?: string;
}

export function Field(props: FieldProps) {
  const invalid = Boolean(fieldErrorMessage(props.error, props.path));
  return html`<div class="field">
    <label for=${props.id}>${props.label}</label>
    <input
      id=${props.id}
      type=${props.type ?? 'text'}
      value=${props.value}
      required=${props.required}
      placeholder=${props.placeholder}
      autocomplete=${props.autocomplete}
      aria-invalid=${invalid ? 'true' : undefined}
      aria-describedby=${invalid ? errorId(props.id) : undefined}
      onInput=${(e: Event) => props.onInput((e.currentTarget as HTMLInputElement).value)}
    />
    <${FieldErrorText} id=${props.id} error=${props.error} path=${props.path} />
  </div>`;
}

export interface Option {
  value: string;
  label: string;
}

interface SelectFieldProps extends Omit<FieldProps, 'type' | 'placeholder' | 'autocomplete'> {
  options: Option[];
}

export function SelectField(props: SelectFieldProps) {
  const invalid = Boolean(fieldErrorMessage(props.error, props.path));
  return html`<div class="field">
    <label for=${props.id}>${props.label}</label>
    <select
      id=${props.id}
      value=${props.value}
      required=${props.required}
      aria-invalid=${invalid ? 'true' : undefined}
      aria-describedby=${invalid ? errorId(props.id) : undefined}
      onChange=${(e: Event) => props.onInput((e.currentTarget as HTMLSelectElement).value)}
    >
      ${props.options.map((o) => html`<option value=${o.value} selected=${o.value === props.value}>${o.label}</option>`)}
    </select>
    <${FieldErrorText} id=${props.id} error=${props.error} path=${props.path} />
  </div>`;
}

/** The general error of a page or form; field errors also appear next to their fields. */
export function ErrorBanner({ error }: { error?: ApiError | null }) {
  if (!error) return null;
  return html`<div class="error-banner" role="alert">${error.message}</div>`;
}

/** A definition list of facts (term, value): the alert's and the event's summaries. */
export function FactList({ facts }: { facts: [string, unknown][] }) {
  return html`<dl class="facts">
    ${facts.map(
      ([term, value]) =>
        html`<div>
          <dt>${term}</dt>
          <dd>${value}</dd>
        </div>`,
    )}
  </dl>`;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export interface Loaded<T> {
  data?: T;
  error: ApiError | null;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Loads data once per change of `deps`; `reload` fetches again (after a save, or on a timer). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error: ApiError | null; loading: boolean }>({ error: null, loading: true });
  // Only the latest request may set the state: an older, slower answer (other filters) must not overwrite it.
  const latest = useRef(0);
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const ticket = ++latest.current;
    try {
      const data = await run();
      if (ticket === latest.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (ticket === latest.current) setState((s) => ({ data: s.data, error: asApiError(error), loading: false }));
    }
  }, [run]);
  useEffect(() => {
    setState({ error: null, loading: true });
    void reload();
  }, [reload]);
  return { ...state, reload };
}
