/**
 * cgroup sock_addr programs for tests, in assembly. A `struct bpf_sock_addr` holds user_ip4 at 4
 * and user_port at 24, both in network byte order; a u32 load sees those bytes little-endian.
 */

/** The u32 a program loads from user_ip4 holding IPv4 address `ip` (10.96.0.10 → 0x0a00600a). */
export function ip4Word(ip: string): string {
  const [a, b, c, d] = ip.split('.').map(Number) as [number, number, number, number];
  return `0x${(((d << 24) | (c << 16) | (b << 8) | a) >>> 0).toString(16).padStart(8, '0')}`;
}

/** The u32 a program loads from user_port holding `port` (80 → 0x5000). */
export function portWord(port: number): string {
  return `0x${(((port & 0xff) << 8) | (port >> 8)).toString(16)}`;
}

/**
 * A kube-proxy-like program: `service` (ip:port) becomes `backend` (ip:port), any address on
 * `refused` is refused (return 0), anything else goes through untouched (return 1).
 */
export function serviceRewrite(service: string, backend: string, refused: string): string {
  const [serviceIp, servicePort] = service.split(':') as [string, string];
  const [backendIp, backendPort] = backend.split(':') as [string, string];
  return `
  r2 = *(u32 *)(r1 + 4)
  r3 = *(u32 *)(r1 + 24)
  if r2 == ${ip4Word(refused)} goto deny
  if r2 != ${ip4Word(serviceIp)} goto allow
  if r3 != ${portWord(Number(servicePort))} goto allow
  r2 = ${ip4Word(backendIp)}
  *(u32 *)(r1 + 4) = r2
  r2 = ${portWord(Number(backendPort))}
  *(u32 *)(r1 + 24) = r2
  allow:
  r0 = 1
  exit
  deny:
  r0 = 0
  exit`;
}
