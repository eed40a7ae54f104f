// SPDX-License-Identifier: GPL-2.0
/*
 * A socket filter in the style of the old kernel samples and iproute2: maps are declared in
 * the legacy "maps" section as struct bpf_map_def, and the object carries a "version"
 * section. libbpf 1.x refuses such objects; older libbpf and cilium/ebpf read them.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

/* The legacy definition, as libbpf < 1.0 declared it. */
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") proto_bytes = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 256,
};

struct bpf_map_def SEC("maps") seen_sockets = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u64),
	.value_size = sizeof(__u32),
	.max_entries = 1024,
	.map_flags = BPF_F_NO_PREALLOC,
};

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");

SEC("socket")
int count_protocols(struct __sk_buff *skb)
{
	__u32 proto = load_byte(skb, ETH_HLEN + offsetof(struct iphdr, protocol));
	__u64 cookie = bpf_get_socket_cookie(skb);
	__u32 one = 1;
	__u64 *bytes;

	if (skb->pkt_type != 4 /* PACKET_OUTGOING */) {
		bytes = bpf_map_lookup_elem(&proto_bytes, &proto);
		if (bytes)
			__sync_fetch_and_add(bytes, skb->len);
	}
	bpf_map_update_elem(&seen_sockets, &cookie, &one, BPF_ANY);
	return 0;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x050f00;
