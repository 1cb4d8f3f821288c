// Outbound safety: which IP addresses a notification must never reach, and whether a contact's target may be saved.
import { BlockList, isIP } from 'node:net';

/** A contact's channel (declared here too, so this module stays free of the user module's imports). */
type TargetType = 'EMAIL' | 'WEBHOOK' | 'SLACK';

/**
 * Addresses inside the operator's own network or host. A notification aimed at one of them could reach
 * services that trust their network (cloud metadata endpoints, admin ports), so they are refused; so are
 * addresses that are no single public host (multicast, reserved, benchmarking).
 * BlockList also matches an IPv4-mapped IPv6 address (::ffff:a.b.c.d) against the IPv4 subnets. The IPv6
 * prefixes that embed an IPv4 address some other way (IPv4-compatible, NAT64, 6to4, Teredo) are refused
 * whole: they are transition mechanisms a notification receiver has no need of, and one of them could
 * carry 127.0.0.1 past the IPv4 rules.
 */
const FORBIDDEN = ((): BlockList => {
  const list = new BlockList();
  const v4: Array<[string, number]> = [
    ['0.0.0.0', 8], // "this network", includes the unspecified address
    ['10.0.0.0', 8],
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8],
    ['169.254.0.0', 16], // link-local, where cloud metadata lives
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15], // benchmarking
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, includes the broadcast address 255.255.255.255
  ];
  const v6: Array<[string, number]> = [
    ['::', 96], // IPv4-compatible ::a.b.c.d, includes the unspecified :: and loopback ::1
    ['64:ff9b::', 96], // NAT64, well-known prefix
    ['64:ff9b:1::', 48], // NAT64, local-use prefix
    ['2001::', 32], // Teredo
    ['2002::', 16], // 6to4
    ['fc00::', 7], // unique-local
    ['fe80::', 10], // link-local
    ['ff00::', 8], // multicast
  ];
  for (const [net, prefix] of v4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of v6) list.addSubnet(net, prefix, 'ipv6');
  return list;
})();

/** True for an address a notification must not be sent to; a string that is not an IP address is forbidden too. */
export function isForbiddenAddress(ip: string): boolean {
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const version = isIP(bare);
  if (version === 0) return true;
  return FORBIDDEN.check(bare, version === 4 ? 'ipv4' : 'ipv6');
}

// Deliberately simple: one @, no spaces, a dot in the domain. The mail server has the last word.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const isEmailAddress = (value: string): boolean => value.length <= 254 && EMAIL_PATTERN.test(value);

const isLocalName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.';

/**
 * Why a contact's target may not be saved, or undefined when it may. Checked at save time on the literal
 * target; the sender checks again after DNS resolution. `allowPrivate` (ALLOW_PRIVATE_WEBHOOK_TARGETS)
 * admits http: and addresses inside the network, for on-premises receivers and tests.
 */
export function targetProblem(type: TargetType, target: string, allowPrivate: boolean): string | undefined {
  if (type === 'EMAIL') return isEmailAddress(target) ? undefined : 'must be an email address';
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'must be an https: URL';
  }
  const schemes = allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) return allowPrivate ? 'must be an https: or http: URL' : 'must be an https: URL';
  if (url.username || url.password) return 'must not contain credentials';
  if (!url.hostname) return 'must name a host';
  if (allowPrivate) return undefined;
  // URL has already normalised the host: "2130706433" and "0x7f.1" read as 127.0.0.1, IPv6 comes in brackets.
  const host = url.hostname.toLowerCase();
  if (isLocalName(host)) return 'must not point at a loopback, private or link-local address';
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIP(literal) !== 0 && isForbiddenAddress(literal)) return 'must not point at a loopback, private or link-local address';
  return undefined;
}
