// The escalation policy pages: the list, and one policy's form (create, edit, delete) with its rules editor.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { del, get, post, put, seg } from '../api';
import { ErrorBanner, Field, SelectField, useLoad } from '../ui';
import { CheckboxField, DeleteButton, SavedNotice, getAll, numberOrText, optionalText, removeAt, replaceAt, useSubmit } from './forms';
import { userName, type User } from './users';
import type { EscalationPolicy as StoredPolicy, EscalationRule } from '../../../lambdas/domain/escalation-policy';

export type { EscalationRule };
/** A policy as the pages use it. */
export type EscalationPolicy = Omit<StoredPolicy, 'createdAt' | 'updatedAt'>;

const MAX_RULES = 20;
const MAX_USERS_PER_RULE = 20;

export function PoliciesPage() {
  const loaded = useLoad(() => get<EscalationPolicy[]>('/api/escalation-policies'), []);
  const policies = loaded.data ?? [];
  const ruleSummary = (p: EscalationPolicy) => `${p.escalationRules.length} rule${p.escalationRules.length === 1 ? '' : 's'}`;
  return html`<h1>Escalation policies</h1>
    <p><a class="button" href="/escalation-policies/new">New escalation policy</a></p>
    <${ErrorBanner} error=${loaded.error} />
    <table>
      <caption class="visually-hidden">
        Escalation policies
      </caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Routing key</th>
          <th scope="col">Rules</th>
          <th scope="col">Repeats</th>
        </tr>
      </thead>
      <tbody>
        ${policies.map(
          (p) =>
            html`<tr key=${p.id}>
              <td><a href=${`/escalation-policies/${seg(p.id)}`}>${p.name}</a></td>
              <td>${p.routingKey ? html`<code>${p.routingKey}</code>` : 'None'}</td>
              <td>${ruleSummary(p)}</td>
              <td>${p.repeating ? `Yes, ${p.frequency} more round${p.frequency === 1 ? '' : 's'}` : 'No'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${loaded.loading ? html`<p role="status">Loading…</p>` : !policies.length && html`<p>No escalation policies yet.</p>`}`;
}

/** One escalation policy; `id` is 'new' for the create form. */
export function PolicyPage({ id }: { id: string }) {
  const loaded = useLoad(
    () => Promise.all([id === 'new' ? undefined : get<EscalationPolicy>(`/api/escalation-policies/${seg(id)}`), getAll<User>('/api/users')]),
    [id],
  );
  if (!loaded.data)
    return html`<h1>Escalation policy</h1>
      ${loaded.error ? html`<${ErrorBanner} error=${loaded.error} />` : html`<p role="status">Loading…</p>`}`;
  const [policy, users] = loaded.data;
  return html`<${PolicyForm} key=${id} policy=${policy} users=${users} />`;
}

/** A rule as the form holds it: the timeout as typed, the users as picked (ids). */
interface RuleDraft {
  timeout: string;
  userIds: string[];
}

function draftOf(policy?: EscalationPolicy) {
  const rules: RuleDraft[] = (policy?.escalationRules ?? [{ escalationTimeout: 0 }]).map((r) => ({
    timeout: String(r.escalationTimeout),
    userIds: (r.users ?? []).map((u) => u.id),
  }));
  return {
    name: policy?.name ?? '',
    routingKey: policy?.routingKey ?? '',
    rules,
    repeating: policy?.repeating ?? false,
    frequency: String(policy?.frequency ?? 1),
  };
}
type Draft = ReturnType<typeof draftOf>;

function bodyOf(draft: Draft, editing: boolean) {
  return {
    name: draft.name,
    routingKey: optionalText(draft.routingKey, editing),
    escalationRules: draft.rules.map((r) => ({ escalationTimeout: numberOrText(r.timeout), users: r.userIds.map((id) => ({ id })) })),
    repeating: draft.repeating,
    frequency: numberOrText(draft.frequency),
  };
}

function PolicyForm({ policy: initial, users }: { policy?: EscalationPolicy; users: User[] }) {
  const { route } = useLocation();
  const [policy, setPolicy] = useState(initial);
  const [draft, setDraft] = useState(() => draftOf(initial));
  const submit = useSubmit();
  const set = (field: keyof Draft) => (value: unknown) => setDraft({ ...draft, [field]: value });
  const setRules = (rules: RuleDraft[]) => setDraft({ ...draft, rules });

  const save = async (e: Event) => {
    e.preventDefault();
    if (!policy) {
      const created = await submit.run(() => post<EscalationPolicy>('/api/escalation-policies', bodyOf(draft, false)));
      if (created) route(`/escalation-policies/${seg(created.id)}`, true);
      return;
    }
    const updated = await submit.run(() => put<EscalationPolicy>(`/api/escalation-policies/${seg(policy.id)}`, bodyOf(draft, true)), 'Saved.');
    if (updated) setPolicy(updated);
  };
  const remove = async () => {
    const deleted = policy && (await submit.run(() => del(`/api/escalation-policies/${seg(policy.id)}`).then(() => true)));
    if (deleted) route('/escalation-policies');
  };

  const common = { error: submit.error };
  return html`<p><a href="/escalation-policies">All escalation policies</a></p>
    <h1>${policy ? policy.name : 'New escalation policy'}</h1>
    <form class="manage-form" onSubmit=${save}>
      <${Field} ...${common} id="policy-name" label="Name" path="name" required=${true} value=${draft.name} onInput=${set('name')} />
      <${Field} ...${common} id="policy-routing-key" label="Routing key (optional)" path="routingKey" value=${draft.routingKey} onInput=${set('routingKey')} />
      <h2>Escalation rules</h2>
      <${RulesEditor} rules=${draft.rules} users=${users} error=${submit.error} onChange=${setRules} />
      <${CheckboxField}
        ...${common}
        id="policy-repeating"
        label="Repeat the rules while the alert is pending"
        path="repeating"
        checked=${draft.repeating}
        onChange=${set('repeating')}
      />
      ${
        draft.repeating &&
        html`<${Field}
          ...${common}
          id="policy-frequency"
          label="Rounds to repeat (1 to 9)"
          path="frequency"
          type="number"
          value=${draft.frequency}
          onInput=${set('frequency')}
        />`
      }
      <${ErrorBanner} error=${submit.error} />
      ${submit.saved && html`<${SavedNotice} text=${submit.saved} />`}
      <div class="manage-buttons">
        <button type="submit" disabled=${submit.busy}>${policy ? 'Save' : 'Create'}</button>
        ${policy && html`<${DeleteButton} what=${`the escalation policy ${policy.name}`} busy=${submit.busy} onDelete=${remove} />`}
      </div>
    </form>`;
}

interface RulesEditorProps {
  rules: RuleDraft[];
  users: User[];
  error: ReturnType<typeof useSubmit>['error'];
  onChange: (rules: RuleDraft[]) => void;
}

function RulesEditor({ rules, users, error, onChange }: RulesEditorProps) {
  // A rule names users by id; one the list no longer holds (deleted meanwhile) still shows, by its id.
  const optionsFor = (picked: string) => {
    const known = users.map((u) => ({ value: u.id, label: userName(u) }));
    return known.some((o) => o.value === picked) ? known : [{ value: picked, label: `Unknown user ${picked}` }, ...known];
  };
  const setRule = (i: number, rule: RuleDraft) => onChange(replaceAt(rules, i, rule));
  const addUser = (i: number) => {
    const free = users.find((u) => !rules[i].userIds.includes(u.id)) ?? users[0];
    setRule(i, { ...rules[i], userIds: [...rules[i].userIds, free.id] });
  };
  return html`<ol class="rules">
      ${rules.map(
        (rule, i) =>
          html`<li key=${i}>
            <fieldset>
              <legend>Rule ${i + 1}</legend>
              <${Field}
                id=${`rule-${i}-timeout`}
                label=${i === 0 ? 'Notify after (minutes)' : 'Escalate after (minutes)'}
                path=${`escalationRules.${i}.escalationTimeout`}
                type="number"
                error=${error}
                value=${rule.timeout}
                onInput=${(timeout: string) => setRule(i, { ...rule, timeout })}
              />
              ${rule.userIds.map(
                (userId, j) =>
                  html`<div class="rule-user" key=${j}>
                    <${SelectField}
                      id=${`rule-${i}-user-${j}`}
                      label=${`User ${j + 1} of rule ${i + 1}`}
                      path=${`escalationRules.${i}.users.${j}`}
                      error=${error}
                      value=${userId}
                      options=${optionsFor(userId)}
                      onInput=${(id: string) => setRule(i, { ...rule, userIds: replaceAt(rule.userIds, j, id) })}
                    />
                    <button type="button" class="secondary" onClick=${() => setRule(i, { ...rule, userIds: removeAt(rule.userIds, j) })}>
                      Remove user ${j + 1} of rule ${i + 1}
                    </button>
                  </div>`,
              )}
              <div class="manage-buttons">
                ${
                  users.length
                    ? html`<button type="button" class="secondary" disabled=${rule.userIds.length >= MAX_USERS_PER_RULE} onClick=${() => addUser(i)}>
                        Add user to rule ${i + 1}
                      </button>`
                    : html`<p>No users yet: <a href="/users/new">create a user</a> to name in this rule.</p>`
                }
                <button type="button" class="secondary" disabled=${rules.length <= 1} onClick=${() => onChange(removeAt(rules, i))}>
                  Remove rule ${i + 1}
                </button>
              </div>
            </fieldset>
          </li>`,
      )}
    </ol>
    <button type="button" class="secondary" disabled=${rules.length >= MAX_RULES} onClick=${() => onChange([...rules, { timeout: '15', userIds: [] }])}>
      Add rule
    </button>`;
}
