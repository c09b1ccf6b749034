import { BlockList, isIPv4, isIPv6 } from 'node:net';

export interface ClientIpSettings {
  /** CIDRs or addresses of proxies whose forwarding headers are believed (Kong's trusted_ips). */
  trustedIps: string[];
  /** Kong's real_ip_header: X-Real-IP (default) or X-Forwarded-For. */
  realIpHeader: string;
  /** Kong's real_ip_recursive: skip trusted addresses from the right of X-Forwarded-For. */
  realIpRecursive: boolean;
}

export function createClientIpResolver(settings: ClientIpSettings) {
  const trusted = new BlockList();
  for (const entry of settings.trustedIps) {
    const [address = '', bits] = entry.split('/');
    const type = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits !== undefined) trusted.addSubnet(address, Number(bits), type);
    else if (isIPv4(address) || isIPv6(address)) trusted.addAddress(address, type);
    else throw new Error(`TRUSTED_IPS: ${entry} is not an address or CIDR`);
  }
  const isTrusted = (ip: string) => {
    const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    return trusted.check(plain, isIPv6(plain) ? 'ipv6' : 'ipv4');
  };
  const header = settings.realIpHeader.toLowerCase();

  return {
    isTrusted,
    /** The TCP peer, unless it is a trusted proxy that names the real client. */
    resolve(peer: string, headers: Record<string, string | string[] | undefined>): string {
      if (!isTrusted(peer)) return peer;
      const raw = headers[header];
      const value = Array.isArray(raw) ? raw.join(',') : raw;
      if (!value) return peer;
      const chain = value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      if (!settings.realIpRecursive) return chain.at(-1) ?? peer;
      for (let i = chain.length - 1; i >= 0; i--)
        if (!isTrusted(chain[i] as string)) return chain[i] as string;
      return chain[0] ?? peer;
    },
  };
}

export type ClientIpResolver = ReturnType<typeof createClientIpResolver>;
