// SPDX-License-Identifier: GPL-2.0
/*
 * A global function, a ring-buffer dynptr and a bpf_timer, as real programs write them; built by
 * build.sh with clang and verified by the loader's `bpfhive verify` (loader/test/verify-features.test.ts).
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct payload {
	__u8 bytes[16];
};

struct event {
	__u32 len;
	__u32 sum;
};

struct timer_elem {
	__u64 fired;
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct timer_elem);
} timers SEC(".maps");

/* Global: verified once on its own, p as a 16-byte payload or NULL. */
__attribute__((noinline)) int checksum(struct payload *p)
{
	int sum = 0;

	if (!p)
		return 0;
	for (int i = 0; i < 16; i++)
		sum += p->bytes[i];
	return sum;
}

SEC("tc")
int record(struct __sk_buff *skb)
{
	struct payload p = {};
	struct bpf_dynptr dp;
	struct event *e;

	for (int i = 0; i < 16; i++)
		p.bytes[i] = i;
	/* Reserved or not, the dynptr holds a reference until submitted or discarded. */
	if (bpf_ringbuf_reserve_dynptr(&events, sizeof(*e), 0, &dp)) {
		bpf_ringbuf_discard_dynptr(&dp, 0);
		return 0;
	}
	e = bpf_dynptr_data(&dp, 0, sizeof(*e));
	if (!e) {
		bpf_ringbuf_discard_dynptr(&dp, 0);
		return 0;
	}
	e->len = skb->len;
	e->sum = checksum(&p);
	bpf_ringbuf_submit_dynptr(&dp, 0);
	/* The checksum again, for test_run to see: 0 + 1 + ... + 15 = 120. */
	return checksum(&p);
}

static int on_timer(void *map, __u32 *key, struct timer_elem *elem)
{
	elem->fired++;
	return 0;
}

SEC("tc")
int arm(struct __sk_buff *skb)
{
	__u32 key = 0;
	struct timer_elem *elem = bpf_map_lookup_elem(&timers, &key);

	if (!elem)
		return 0;
	bpf_timer_init(&elem->timer, &timers, 1 /* CLOCK_MONOTONIC */);
	bpf_timer_set_callback(&elem->timer, on_timer);
	bpf_timer_start(&elem->timer, 1000000, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
