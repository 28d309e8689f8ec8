import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

/** Where Debian's dovecot-imapd puts the server (.ci/run installs it); DOVECOT_BIN overrides. */
export const DOVECOT_BIN = process.env.DOVECOT_BIN ?? '/usr/sbin/dovecot';

/** True when the IMAP tests can run (the server is installed). */
export const dovecotInstalled = existsSync(DOVECOT_BIN);

/** What the test server accepts besides its password login. */
export interface DovecotOptions {
  /** The mailbox's login name (default `pim`; an address for the OAuth2 tests). */
  user?: string;
  /**
   * OAuth2 logins too (AUTHENTICATE XOAUTH2 / OAUTHBEARER): Dovecot's oauth2 passdb asks this
   * RFC 7662 introspection endpoint (POST token=…) whether a token is active and whose it is.
   */
  oauth2?: { introspectionUrl: string; mechanisms?: ('xoauth2' | 'oauthbearer')[] };
}

/** A real IMAP server (Dovecot) on loopback with one mailbox, in a temporary folder of its own. */
export interface TestImap {
  port: number;
  user: string;
  pass: string;
  /** imap://user:pass@127.0.0.1:port/INBOX */
  url: string;
  /** The Dovecot log (auth failures are explained there). */
  log(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function idOf(name: string, flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
}

/**
 * Starts Dovecot in the foreground (a child of this test, stopped by close()) with a generated
 * configuration: plain-text login on 127.0.0.1 only, one user from a password file, Maildir in the
 * temporary folder. As root it runs its processes as Debian's `dovecot` and `dovenull` users (mail
 * may not be kept as root); as anyone else, as that user.
 */
export async function startDovecot(opts: DovecotOptions = {}): Promise<TestImap> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pim-dovecot-'));
  chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  const me = os.userInfo();
  const mailUser = root ? 'dovecot' : me.username;
  const loginUser = root ? 'dovenull' : me.username;
  const uid = root ? idOf('dovecot', '-u') : me.uid;
  const gid = root ? idOf('dovecot', '-g') : me.gid;
  const home = path.join(dir, 'home');
  mkdirSync(home);
  if (root) chownSync(home, uid, gid);
  const user = opts.user ?? 'pim';
  const pass = 'test-only-imap-password';
  writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${pass}\n`);
  const port = await freePort();
  const conf = path.join(dir, 'dovecot.conf');
  const oauthMechs = opts.oauth2 ? (opts.oauth2.mechanisms ?? ['xoauth2', 'oauthbearer']).join(' ') : '';
  if (opts.oauth2)
    writeFileSync(
      path.join(dir, 'oauth2.conf.ext'),
      `introspection_mode = post
introspection_url = ${opts.oauth2.introspectionUrl}
force_introspection = yes
username_attribute = username
active_attribute = active
active_value = true
timeout_msecs = 5000
`,
    );
  writeFileSync(
    conf,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login ${oauthMechs}
default_login_user = ${loginUser}
default_internal_user = ${mailUser}
default_internal_group = ${root ? 'dovecot' : execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim() || mailUser}
first_valid_uid = 1
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u ${dir}/users
}
${
  opts.oauth2
    ? `passdb {
  driver = oauth2
  mechanisms = ${oauthMechs}
  args = ${dir}/oauth2.conf.ext
}
`
    : ''
}userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${home}/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
`,
  );
  const child: ChildProcess = spawn(DOVECOT_BIN, ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const end = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`Dovecot did not start: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    user,
    pass,
    url: `imap://${encodeURIComponent(user)}:${pass}@127.0.0.1:${port}/INBOX`,
    log: () => {
      try {
        return readFileSync(path.join(dir, 'dovecot.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
