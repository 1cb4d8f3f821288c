// Folders of the local runtime that hold secrets (the database with every integration key): readable by their owner only.
import { chmodSync, mkdirSync } from 'node:fs';

/** Creates the folder with mode 0700, and tightens it to 0700 if an earlier version left it readable by others. */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  try {
    chmodSync(path, 0o700);
  } catch (error) {
    throw new Error(`the data folder ${path} must be private to this user, and its mode could not be set to 0700: ${(error as Error).message}`);
  }
}
