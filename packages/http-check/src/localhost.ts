// `localhost` means loopback, both families, whatever /etc/hosts says (RFC 6761;
// curl does the same). Many hosts list only `127.0.0.1 localhost`, others put
// ::1 first, and a server may listen on either one alone (wait-on #109, #133):
// tcp.ts tries both addresses, 127.0.0.1 first, without asking the resolver.

export function isLoopbackName(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost')
}
