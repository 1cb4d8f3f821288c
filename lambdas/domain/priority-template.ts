// Priority templates: render "{{ customDetails.severity }}" from an event and map the value to HIGH or LOW.
import type { PriorityTemplate } from './alert-source';
import type { AcceptedEvent, Priority } from './event';

/** Reads a dotted path through own properties only, so a template can never reach an object's prototype. */
function lookup(root: unknown, path: string): unknown {
  let current = root;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function renderTemplate(template: string, event: AcceptedEvent): string {
  return template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_m, path: string) => {
    const value = lookup(event, path);
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/** The mapped priority, or undefined when the rendered value matches no mapping (compared trimmed, case-insensitively). */
export function templatePriority(template: PriorityTemplate, event: AcceptedEvent): Priority | undefined {
  const value = renderTemplate(template.valueTemplate.textTemplate, event).trim().toLowerCase();
  if (!value) return undefined;
  return template.mappings.find((m) => m.value.trim().toLowerCase() === value)?.priority;
}
