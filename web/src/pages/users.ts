// The user pages: the paged list, and one user's form (create, edit, delete) with the contacts editor.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { del, get, post, put, seg, type Page } from '../api';
import { ErrorBanner, Field, FieldErrorText, SelectField, asApiError, errorId, fieldErrorMessage, useLoad } from '../ui';
import { CheckboxField, DeleteButton, SavedNotice, optionalText, removeAt, replaceAt, useSubmit } from './forms';
import type { Contact as StoredContact, ContactType, User as StoredUser } from '../../../lambdas/domain/user';
import type { Priority } from '../../../lambdas/domain/event';

export type { ContactType, Priority };
/** A contact as the API answers it: the secret is never shown, only whether there is one. */
export type Contact = Omit<StoredContact, 'secret'> & { hasSecret: boolean };
/** A user as the pages use it. */
export type User = Omit<StoredUser, 'contacts' | 'createdAt' | 'updatedAt'> & { contacts: Contact[] };

export const userName = (user: Pick<User, 'firstName' | 'lastName'>) => `${user.firstName} ${user.lastName}`;

const MAX_CONTACTS = 10;
const CONTACT_TYPES = [
  { value: 'EMAIL', label: 'Email' },
  { value: 'WEBHOOK', label: 'Webhook' },
  { value: 'SLACK', label: 'Slack' },
];
const PRIORITIES: Priority[] = ['HIGH', 'LOW'];

/** The list, a page at a time ("Load more" follows nextCursor), so a long list never loads at once. */
export function UsersPage() {
  const first = useLoad(() => get<Page<User>>('/api/users', { limit: 50 }), []);
  const [more, setMore] = useState<{ items: User[]; nextCursor?: string } | null>(null);
  const [moreError, setMoreError] = useState<ReturnType<typeof asApiError> | null>(null);
  const users = [...(first.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : first.data?.nextCursor;
  const loadMore = async () => {
    try {
      const page = await get<Page<User>>('/api/users', { limit: 50, nextCursor });
      setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor });
      setMoreError(null);
    } catch (error) {
      setMoreError(asApiError(error));
    }
  };
  const contactsOf = (u: User) => (u.contacts.length ? u.contacts.map((c) => `${c.type} ${c.target}`).join(', ') : 'None');
  return html`<h1>Users</h1>
    <p><a class="button" href="/users/new">New user</a></p>
    <${ErrorBanner} error=${first.error ?? moreError} />
    <table>
      <caption class="visually-hidden">
        Users
      </caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Email</th>
          <th scope="col">Time zone</th>
          <th scope="col">Contacts</th>
        </tr>
      </thead>
      <tbody>
        ${users.map(
          (u) =>
            html`<tr key=${u.id}>
              <td><a href=${`/users/${seg(u.id)}`}>${userName(u)}</a></td>
              <td>${u.email ?? ''}</td>
              <td>${u.timezone ?? ''}</td>
              <td>${contactsOf(u)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${first.loading ? html`<p role="status">Loading…</p>` : !users.length && html`<p>No users yet.</p>`}
    ${nextCursor && html`<button type="button" class="secondary" onClick=${loadMore}>Load more</button>`}`;
}

/** One user; `id` is 'new' for the create form. */
export function UserPage({ id }: { id: string }) {
  const loaded = useLoad(() => (id === 'new' ? Promise.resolve(undefined) : get<User>(`/api/users/${seg(id)}`)), [id]);
  if (loaded.loading || loaded.error)
    return html`<h1>User</h1>
      ${loaded.error ? html`<${ErrorBanner} error=${loaded.error} />` : html`<p role="status">Loading…</p>`}`;
  return html`<${UserForm} key=${id} user=${loaded.data} />`;
}

/** A contact as the form holds it: a new secret only when typed (the stored one is never shown), or its removal. */
interface ContactDraft {
  type: ContactType;
  target: string;
  priorities: Priority[];
  hasSecret: boolean;
  secret: string;
  removeSecret: boolean;
}

function draftOf(user?: User) {
  const contacts: ContactDraft[] = (user?.contacts ?? []).map((c) => ({ ...c, secret: '', removeSecret: false }));
  return { firstName: user?.firstName ?? '', lastName: user?.lastName ?? '', email: user?.email ?? '', timezone: user?.timezone ?? '', contacts };
}
type Draft = ReturnType<typeof draftOf>;

/** A contact without a `secret` field keeps its stored secret (same type and target); null removes it. */
const secretOf = (c: ContactDraft) => (c.type !== 'WEBHOOK' ? undefined : c.secret ? c.secret : c.removeSecret ? null : undefined);

function bodyOf(draft: Draft, editing: boolean) {
  return {
    firstName: draft.firstName,
    lastName: draft.lastName,
    email: optionalText(draft.email, editing),
    timezone: optionalText(draft.timezone, editing),
    contacts: draft.contacts.map((c) => ({ type: c.type, target: c.target, priorities: c.priorities, secret: secretOf(c) })),
  };
}

function UserForm({ user: initial }: { user?: User }) {
  const { route } = useLocation();
  const [user, setUser] = useState(initial);
  const [draft, setDraft] = useState(() => draftOf(initial));
  const submit = useSubmit();
  const set = (field: keyof Draft) => (value: unknown) => setDraft({ ...draft, [field]: value });

  const save = async (e: Event) => {
    e.preventDefault();
    if (!user) {
      const created = await submit.run(() => post<User>('/api/users', bodyOf(draft, false)));
      if (created) route(`/users/${seg(created.id)}`, true);
      return;
    }
    const updated = await submit.run(() => put<User>(`/api/users/${seg(user.id)}`, bodyOf(draft, true)), 'Saved.');
    // The answer says which contacts now hold a secret; the typed secrets are cleared, never kept in the page.
    if (updated) {
      setUser(updated);
      setDraft(draftOf(updated));
    }
  };
  const remove = async () => {
    const deleted = user && (await submit.run(() => del(`/api/users/${seg(user.id)}`).then(() => true)));
    if (deleted) route('/users');
  };

  const common = { error: submit.error };
  return html`<p><a href="/users">All users</a></p>
    <h1>${user ? userName(user) : 'New user'}</h1>
    <form class="manage-form" onSubmit=${save}>
      <${Field} ...${common} id="user-first-name" label="First name" path="firstName" required=${true} value=${draft.firstName} onInput=${set('firstName')} />
      <${Field} ...${common} id="user-last-name" label="Last name" path="lastName" required=${true} value=${draft.lastName} onInput=${set('lastName')} />
      <${Field} ...${common} id="user-email" label="Email (optional)" path="email" type="email" value=${draft.email} onInput=${set('email')} />
      <${Field}
        ...${common}
        id="user-timezone"
        label="Time zone (optional, e.g. Europe/Berlin)"
        path="timezone"
        value=${draft.timezone}
        onInput=${set('timezone')}
      />
      <h2>Contacts</h2>
      <${ContactsEditor} contacts=${draft.contacts} error=${submit.error} onChange=${set('contacts')} />
      <${ErrorBanner} error=${submit.error} />
      ${submit.saved && html`<${SavedNotice} text=${submit.saved} />`}
      <div class="manage-buttons">
        <button type="submit" disabled=${submit.busy}>${user ? 'Save' : 'Create'}</button>
        ${user && html`<${DeleteButton} what=${`the user ${userName(user)}`} busy=${submit.busy} onDelete=${remove} />`}
      </div>
    </form>`;
}

interface ContactsEditorProps {
  contacts: ContactDraft[];
  error: ReturnType<typeof useSubmit>['error'];
  onChange: (contacts: ContactDraft[]) => void;
}

function ContactsEditor({ contacts, error, onChange }: ContactsEditorProps) {
  const blank: ContactDraft = { type: 'EMAIL', target: '', priorities: ['HIGH', 'LOW'], hasSecret: false, secret: '', removeSecret: false };
  return html`${!contacts.length && html`<p>No contacts: this user is never notified.</p>`}
    <ol class="contacts">
      ${contacts.map(
        (contact, i) =>
          html`<li key=${i}>
            <${ContactEditor} index=${i} contact=${contact} error=${error} onChange=${(c: ContactDraft) => onChange(replaceAt(contacts, i, c))} />
            <button type="button" class="secondary" onClick=${() => onChange(removeAt(contacts, i))}>Remove contact ${i + 1}</button>
          </li>`,
      )}
    </ol>
    <button type="button" class="secondary" disabled=${contacts.length >= MAX_CONTACTS} onClick=${() => onChange([...contacts, blank])}>Add contact</button>`;
}

function ContactEditor({
  index: i,
  contact,
  error,
  onChange,
}: {
  index: number;
  contact: ContactDraft;
  error: ContactsEditorProps['error'];
  onChange: (c: ContactDraft) => void;
}) {
  const id = `contact-${i}`;
  const path = `contacts.${i}`;
  const change = (fields: Partial<ContactDraft>) => onChange({ ...contact, ...fields });
  const togglePriority = (priority: Priority, on: boolean) =>
    change({ priorities: PRIORITIES.filter((p) => (p === priority ? on : contact.priorities.includes(p))) });
  const prioritiesInvalid = Boolean(fieldErrorMessage(error, `${path}.priorities`));
  return html`<fieldset>
    <legend>Contact ${i + 1}</legend>
    <${SelectField}
      id=${`${id}-type`}
      label="Type"
      path=${`${path}.type`}
      error=${error}
      value=${contact.type}
      options=${CONTACT_TYPES}
      onInput=${(type: ContactType) => change({ type })}
    />
    <${Field}
      id=${`${id}-target`}
      label=${contact.type === 'EMAIL' ? 'Email address' : 'URL (https:)'}
      path=${`${path}.target`}
      error=${error}
      value=${contact.target}
      onInput=${(target: string) => change({ target })}
    />
    ${
      contact.type === 'WEBHOOK' &&
      html`<${Field}
          id=${`${id}-secret`}
          label=${contact.hasSecret ? 'Signing secret (secret set: leave empty to keep it)' : 'Signing secret (optional)'}
          path=${`${path}.secret`}
          type="password"
          autocomplete="new-password"
          error=${error}
          value=${contact.secret}
          onInput=${(secret: string) => change({ secret })}
        />
        ${
          contact.hasSecret &&
          html`<${CheckboxField}
            id=${`${id}-remove-secret`}
            label="Remove the secret"
            path=${`${path}.removeSecret`}
            checked=${contact.removeSecret}
            onChange=${(removeSecret: boolean) => change({ removeSecret })}
          />`
        }`
    }
    <fieldset aria-describedby=${prioritiesInvalid ? errorId(`${id}-priorities`) : undefined}>
      <legend>Notify for priorities</legend>
      ${PRIORITIES.map(
        (p) =>
          html`<div class="field checkbox">
            <input
              id=${`${id}-priority-${p}`}
              type="checkbox"
              checked=${contact.priorities.includes(p)}
              onChange=${(e: Event) => togglePriority(p, (e.currentTarget as HTMLInputElement).checked)}
            />
            <label for=${`${id}-priority-${p}`}>${p === 'HIGH' ? 'High' : 'Low'}</label>
          </div>`,
      )}
      <${FieldErrorText} id=${`${id}-priorities`} error=${error} path=${`${path}.priorities`} />
    </fieldset>
  </fieldset>`;
}
