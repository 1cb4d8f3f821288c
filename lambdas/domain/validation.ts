// Turns zod issues into the API's error list: one {path, message} per problem, naming the field.
import type { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    // A missing value reaches here as invalid_type or, for enums, invalid_value; both mean the field is required.
    const input = (issue as { input?: unknown }).input;
    const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && input === undefined && issue.path.length > 0;
    if (missing) return { path, message: 'is required' };
    if (issue.code === 'invalid_type') return { path: path || '(body)', message: `must be ${article(issue.expected)}` };
    return { path: path || '(body)', message: issue.message };
  });
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** Shared field builders so that every schema words its limits the same way. */
export const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.length > 0;
  } catch {
    return false;
  }
};

export const utf8Bytes = (value: string): number => Buffer.byteLength(value, 'utf8');

/** Depth of a JSON value: a scalar is 0, {} or [] is 1. Iterative so that hostile nesting cannot blow the stack. */
export function jsonDepth(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    const here = depth + 1;
    if (here > max) max = here;
    if (max > 64) return max;
    for (const child of Object.values(current as object)) stack.push([child, here]);
  }
  return max;
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
