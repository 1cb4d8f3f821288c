// User settings: defaults, limits, errors naming the field (refused targets included), how a PUT keeps secrets, and the view without secrets.
import { mergeUserSettings, USER_LIMITS as L, userSettingsSchema, userView, type User } from '../../lambdas/domain/user';
import { fieldErrors, type FieldError } from '../../lambdas/domain/validation';

const strict = userSettingsSchema({ allowPrivateTargets: false });
const relaxed = userSettingsSchema({ allowPrivateTargets: true });
const user = (fields: Record<string, unknown> = {}) => ({ firstName: 'Uma', lastName: 'Oncall', ...fields });
const webhook = (fields: Record<string, unknown> = {}) => ({ type: 'WEBHOOK', target: 'https://hooks.example.com/a', ...fields });

function parse(body: unknown, schema = strict) {
  const result = schema.safeParse(body, { reportInput: true });
  if (!result.success) throw new Error(`expected valid, got ${JSON.stringify(fieldErrors(result.error))}`);
  return result.data;
}

function errorsOf(body: unknown, schema = strict): FieldError[] {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) throw new Error(`expected invalid, got ${JSON.stringify(result.data)}`);
  return fieldErrors(result.error);
}

describe('userSettingsSchema', () => {
  it('fills the defaults: no contacts, and a contact used for both priorities', () => {
    expect(parse(user())).toEqual({ firstName: 'Uma', lastName: 'Oncall', contacts: [] });
    expect(parse(user({ contacts: [{ type: 'EMAIL', target: 'uma@example.com' }], email: null, timezone: null }))).toEqual({
      firstName: 'Uma',
      lastName: 'Oncall',
      contacts: [{ type: 'EMAIL', target: 'uma@example.com', priorities: ['HIGH', 'LOW'] }],
    });
  });

  it('keeps every field it knows, trims names and targets, drops unknown fields', () => {
    const parsed = parse(
      user({
        firstName: '  Uma ',
        email: 'uma@example.com',
        timezone: 'Europe/Berlin',
        contacts: [
          webhook({ target: ' https://hooks.example.com/a ', secret: ' s3cret ', priorities: ['HIGH'] }),
          { type: 'SLACK', target: 'https://hooks.slack.com/services/T/B/X' },
        ],
        role: 'admin',
      }),
    );
    expect(parsed).toEqual({
      firstName: 'Uma',
      lastName: 'Oncall',
      email: 'uma@example.com',
      timezone: 'Europe/Berlin',
      contacts: [
        { type: 'WEBHOOK', target: 'https://hooks.example.com/a', secret: ' s3cret ', priorities: ['HIGH'] },
        { type: 'SLACK', target: 'https://hooks.slack.com/services/T/B/X', priorities: ['HIGH', 'LOW'] },
      ],
    });
  });

  it('names each missing or malformed field', () => {
    expect(errorsOf({})).toEqual([
      { path: 'firstName', message: 'is required' },
      { path: 'lastName', message: 'is required' },
    ]);
    expect(errorsOf(user({ firstName: ' ', lastName: 'x'.repeat(L.nameChars + 1) }))).toEqual([
      { path: 'firstName', message: 'must not be empty' },
      { path: 'lastName', message: `must be at most ${L.nameChars} characters` },
    ]);
    expect(errorsOf(user({ email: 'not an address', timezone: 'Mars/Olympus' }))).toEqual([
      { path: 'email', message: 'must be an email address' },
      { path: 'timezone', message: 'must be an IANA time zone such as Europe/Berlin' },
    ]);
  });

  it('names the contact and its field', () => {
    const errors = errorsOf(
      user({
        contacts: [
          { type: 'PAGER', target: 'x' },
          { type: 'EMAIL' },
          webhook({ priorities: [] }),
          webhook({ priorities: ['HIGH', 'HIGH'] }),
          webhook({ priorities: ['URGENT'] }),
          webhook({ secret: '' }),
          webhook({ secret: 'x'.repeat(L.secretChars + 1) }),
          { type: 'EMAIL', target: 'uma@example.com', secret: 'x' },
        ],
      }),
    );
    expect(errors).toEqual([
      { path: 'contacts.0.type', message: 'must be one of EMAIL, WEBHOOK, SLACK' },
      { path: 'contacts.1.target', message: 'is required' },
      { path: 'contacts.2.priorities', message: 'must name at least one priority' },
      { path: 'contacts.3.priorities', message: 'must not repeat a priority' },
      { path: 'contacts.4.priorities.0', message: 'must be one of HIGH, LOW' },
      { path: 'contacts.5.secret', message: 'must not be empty' },
      { path: 'contacts.6.secret', message: `must be at most ${L.secretChars} characters` },
      { path: 'contacts.7.secret', message: 'is only used by WEBHOOK contacts' },
    ]);
  });

  it(`allows at most ${L.contacts} contacts`, () => {
    const contacts = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'EMAIL', target: `u${i}@example.com` }));
    expect(parse(user({ contacts: contacts(L.contacts) })).contacts).toHaveLength(L.contacts);
    expect(errorsOf(user({ contacts: contacts(L.contacts + 1) }))).toEqual([{ path: 'contacts', message: `must have at most ${L.contacts} items` }]);
  });

  it('refuses targets inside the network, naming the contact, unless private targets are allowed', () => {
    const body = user({
      contacts: [
        webhook({ target: 'https://127.0.0.1/x' }),
        { type: 'SLACK', target: 'https://[::1]/x' },
        webhook({ target: 'http://example.com/x' }),
        { type: 'EMAIL', target: 'https://example.com' },
      ],
    });
    expect(errorsOf(body)).toEqual([
      { path: 'contacts.0.target', message: 'must not point at a loopback, private or link-local address' },
      { path: 'contacts.1.target', message: 'must not point at a loopback, private or link-local address' },
      { path: 'contacts.2.target', message: 'must be an https: URL' },
      { path: 'contacts.3.target', message: 'must be an email address' },
    ]);
    expect(errorsOf(body, relaxed)).toEqual([{ path: 'contacts.3.target', message: 'must be an email address' }]);
  });
});

describe('mergeUserSettings', () => {
  const stored: User = {
    id: 'u1',
    firstName: 'Uma',
    lastName: 'Oncall',
    contacts: [
      { type: 'WEBHOOK', target: 'https://hooks.example.com/a', secret: 'kept', priorities: ['HIGH', 'LOW'] },
      { type: 'EMAIL', target: 'uma@example.com', priorities: ['LOW'] },
    ],
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };

  it('keeps the fields not given, and the contacts when none are given', () => {
    expect(parse(mergeUserSettings(stored, { lastName: 'Renamed' }))).toEqual({ firstName: 'Uma', lastName: 'Renamed', contacts: stored.contacts });
  });

  it('keeps the secret of a contact given again with the same type and target but without a secret field', () => {
    const merged = parse(mergeUserSettings(stored, { contacts: [webhook({ target: ' https://hooks.example.com/a', priorities: ['HIGH'] })] }));
    expect(merged.contacts).toEqual([{ type: 'WEBHOOK', target: 'https://hooks.example.com/a', secret: 'kept', priorities: ['HIGH'] }]);
  });

  it('replaces the secret when one is given, removes it on null, and never moves it to another target', () => {
    const contactsOf = (contacts: unknown[]) => parse(mergeUserSettings(stored, { contacts })).contacts;
    expect(contactsOf([webhook({ secret: 'new' })])[0].secret).toBe('new');
    expect(contactsOf([webhook({ secret: null })])[0].secret).toBeUndefined();
    expect(contactsOf([webhook({ target: 'https://hooks.example.com/b' })])[0].secret).toBeUndefined();
  });
});

describe('userView', () => {
  it('answers hasSecret and never the secret', () => {
    const view = userView({
      id: 'u1',
      firstName: 'Uma',
      lastName: 'Oncall',
      contacts: [
        { type: 'WEBHOOK', target: 'https://hooks.example.com/a', secret: 'top-secret', priorities: ['HIGH'] },
        { type: 'EMAIL', target: 'uma@example.com', priorities: ['LOW'] },
      ],
      createdAt: 'c',
      updatedAt: 'u',
    });
    expect(view.contacts).toEqual([
      { type: 'WEBHOOK', target: 'https://hooks.example.com/a', priorities: ['HIGH'], hasSecret: true },
      { type: 'EMAIL', target: 'uma@example.com', priorities: ['LOW'], hasSecret: false },
    ]);
    expect(JSON.stringify(view)).not.toContain('top-secret');
  });
});
