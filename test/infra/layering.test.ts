// The layering rule, read from the source: lib/ and local/ reach into lambdas/ only through the contract and the handlers, and only the entry files and the configuration module read the environment.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const LAMBDAS = join(ROOT, 'lambdas');

/**
 * What lib/ and local/ may import from lambdas/: the contract, the handler modules (entry points, factories), and
 * lambdas/bundling, which says how the functions are built (the stack's esbuild settings) and runs in none of them.
 */
const ALLOWED = [/^contract$/, /^handlers\/[^/]+$/, /^bundling\/[^/]+$/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|cjs|mjs)$/.test(name) ? [path] : [];
  });
}

/** Every module a file names in an import, export-from, dynamic import or require, relative ones resolved. */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  return specifiers.map((s) => (s.startsWith('.') ? resolve(dirname(file), s) : s));
}

const violations = (dir: string) =>
  sourceFiles(join(ROOT, dir)).flatMap((file) =>
    importsOf(file)
      .filter((target) => target.startsWith(`${LAMBDAS}/`))
      .map((target) => relative(LAMBDAS, target).replace(/\.(js|ts)$/, ''))
      .filter((target) => !ALLOWED.some((pattern) => pattern.test(target)))
      .map((target) => `${relative(ROOT, file)} imports lambdas/${target}`),
  );

describe('layering', () => {
  it.each(['lib', 'local'])('%s/ imports nothing in lambdas/ deeper than the contract and the handler modules', (dir) => {
    expect(violations(dir)).toEqual([]);
  });

  it('lambdas/ reads process.env only in the Lambda entry files and the configuration module', () => {
    const readers = sourceFiles(LAMBDAS)
      .filter((file) => /process\.env/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(LAMBDAS, file));
    expect(readers.filter((file) => file !== 'handlers/config.ts' && !file.startsWith('functions/'))).toEqual([]);
  });

  it('reads every form of import', () => {
    const file = join(ROOT, 'local', 'runtime.ts');
    expect(importsOf(file)).toEqual(expect.arrayContaining([join(LAMBDAS, 'contract'), join(LAMBDAS, 'handlers', 'ingest')]));
  });
});
