/*
 * parse: Ethernet / IPv4 / TCP parse of one packet, every access bounds-checked against
 * data_end as an XDP program must, the IPv4 header checksum verified, and an XDP verdict:
 *   XDP_ABORTED (0) truncated, XDP_DROP (1) malformed or filtered, XDP_PASS (2), XDP_TX (3).
 * The eBPF build takes an xdp_md-like context whose u32 data / data_end hold addresses
 * (offsets into the engines' memory); natively the context is a struct of pointers.
 */
#include "bench.h"

#define XDP_ABORTED 0
#define XDP_DROP 1
#define XDP_PASS 2
#define XDP_TX 3

#ifdef __bpf__
struct parse_ctx {
  u32 data, data_end;
};
#define CTX_DATA(c) ((const u8 *)(unsigned long)(c)->data)
#define CTX_END(c) ((const u8 *)(unsigned long)(c)->data_end)
#define BSWAP16(x) __builtin_bswap16(x)
#else
struct parse_ctx {
  const u8 *data, *data_end;
};
#define CTX_DATA(c) ((c)->data)
#define CTX_END(c) ((c)->data_end)
#define BSWAP16(x) __builtin_bswap16(x)
#endif

struct eth {
  u8 dst[6], src[6];
  u16 proto;
} __attribute__((packed));

struct ipv4 {
  u8 ver_ihl, tos;
  u16 tot_len, id, frag_off;
  u8 ttl, protocol;
  u16 check;
  u32 saddr, daddr;
};

struct tcp {
  u16 source, dest;
  u32 seq, ack_seq;
  u8 doff_res, flags;
  u16 window, check, urg_ptr;
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

BENCH_ENTRY(parse)(const struct parse_ctx *ctx, u64 len) {
  (void)len;
  const u8 *data = CTX_DATA(ctx), *end = CTX_END(ctx);

  const struct eth *eth = (const struct eth *)data;
  if ((const u8 *)(eth + 1) > end) return XDP_ABORTED;
  if (eth->proto != BSWAP16(0x0800)) return XDP_PASS; /* not IPv4: not ours */

  const struct ipv4 *ip = (const struct ipv4 *)(eth + 1);
  if ((const u8 *)(ip + 1) > end) return XDP_ABORTED;
  u32 ihl = ip->ver_ihl & 0xf;
  if ((ip->ver_ihl >> 4) != 4 || ihl < 5) return XDP_DROP;
  const u8 *l4 = (const u8 *)ip + ihl * 4;
  if (l4 > end) return XDP_ABORTED;

  /* Header checksum: the one's-complement sum of the header's 16-bit words must be 0xffff. */
  u32 sum = 0;
  const u16 *w = (const u16 *)ip;
  for (u32 i = 0; i < 30; i++) { /* at most 60 bytes; a constant bound, as the verifier likes */
    if (i >= ihl * 2) break;
    sum += w[i];
  }
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  if (sum != 0xffff) return XDP_DROP;

  if (BSWAP16(ip->frag_off) & 0x3fff) return XDP_PASS; /* fragments go up the stack */
  if (ip->ttl <= 1) return XDP_DROP;
  if (ip->protocol != 6) return XDP_PASS;

  const struct tcp *tcp = (const struct tcp *)l4;
  if ((const u8 *)(tcp + 1) > end) return XDP_ABORTED;
  u32 doff = tcp->doff_res >> 4;
  if (doff < 5 || l4 + doff * 4 > end) return XDP_DROP;
  u8 flags = tcp->flags;
  if ((flags & (TCP_SYN | TCP_FIN)) == (TCP_SYN | TCP_FIN) || (flags & (TCP_SYN | TCP_RST)) == (TCP_SYN | TCP_RST))
    return XDP_DROP;
  u16 dport = BSWAP16(tcp->dest);
  if (dport == 7) return XDP_TX; /* echo: bounce it */
  if (dport == 80 || dport == 443) return XDP_PASS;
  if (dport < 1024 && (flags & TCP_SYN) && !(flags & TCP_ACK)) return XDP_DROP;
  return XDP_PASS;
}
