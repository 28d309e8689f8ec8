import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * Where a webhook may not go: this machine, the private networks, link-local (the cloud
 * metadata service at 169.254.169.254), carrier-grade NAT, multicast and reserved ranges.
 * Otherwise the delivery log would tell whoever adds a webhook which internal ports answer.
 */
const NOT_PUBLIC = new net.BlockList();
for (const [net4, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NOT_PUBLIC.addSubnet(net4, bits, 'ipv4');
}
for (const [net6, bits] of [
  // The unspecified and loopback addresses, and IPv4-compatible ones (::7f00:1). IPv4-mapped ones
  // (::ffff:7f00:1) need no rule: the list checks them against the IPv4 rules above.
  ['::', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001::', 32], // Teredo: an IPv4 address inside
  ['2001:db8::', 32],
  ['2002::', 16], // 6to4: an IPv4 address inside
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10], // site-local (deprecated, still routed inside some networks)
  ['ff00::', 8],
] as const) {
  NOT_PUBLIC.addSubnet(net6, bits, 'ipv6');
}

/** Whether an IP address is one a webhook may reach (a public unicast address). */
export function isPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]!);
  const family = net.isIP(address);
  if (family === 0) return false;
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why a webhook address is refused, or null: a URL naming a non-public address or this machine by name. */
export function refusedTarget(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is this machine`;
  if (net.isIP(host) && !isPublicAddress(host)) return `${host} is not a public address`;
  return null;
}

/**
 * Resolves a host as Node's sockets ask, refusing it when any of its addresses is not public.
 * It runs when the connection is made, on the addresses the connection uses, so a name that
 * resolves to a public address when checked and a private one a moment later gets nowhere.
 */
export function publicLookup(
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) {
      const e: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to ${refused.address}, which is not a public address`,
      );
      e.code = 'EADDRNOTPUBLIC';
      return callback(e, []);
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/**
 * Posts a body and resolves to the HTTP status (redirects are not followed: a 3xx is the
 * answer). Unless `allowPrivate`, a target that is not a public address is refused before a
 * byte is sent.
 */
export function postOutbound(
  url: string,
  headers: Record<string, string>,
  body: string,
  opts: { timeoutMs: number; allowPrivate: boolean },
): Promise<number> {
  const target = new URL(url);
  if (!opts.allowPrivate) {
    const why = refusedTarget(target);
    if (why) return Promise.reject(new Error(`refused: ${why}`));
  }
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const late = () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`));
    // The whole exchange, not only each silence: a receiver that sends its answer a byte at a time
    // would otherwise hold the batch (and its row locks) for as long as it likes.
    const whole = setTimeout(late, opts.timeoutMs);
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: opts.timeoutMs,
        ...(opts.allowPrivate ? {} : { lookup: publicLookup }),
      },
      (res) => {
        clearTimeout(whole);
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', late);
    req.on('error', (err) => {
      clearTimeout(whole);
      reject(err);
    });
    req.end(body);
  });
}
