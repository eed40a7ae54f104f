// SPDX-License-Identifier: GPL-2.0
/*
 * tcpconnect: every outgoing IPv4 TCP connection (an active open, connect()), with the
 * process that made it and both ends' addresses and ports, as BCC's libbpf-tools/tcpconnect
 * reports them.
 *
 * tcp_v4_connect(struct sock *sk, ...) is where the kernel picks the source address and
 * port and sends the SYN. A kprobe at its entry remembers the socket per thread; a kretprobe
 * at its return, if it returned 0, reads the now-filled addresses and ports out of the
 * socket with BPF_CORE_READ (CO-RE relocations against the kernel's struct sock_common) and
 * writes one struct connect_event to a ring buffer.
 *
 * Maps (layouts in README.md):
 *   sockets  HASH     __u32 thread id -> struct sock *, calls in flight
 *   events   RINGBUF  struct connect_event records
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define TASK_COMM_LEN 16

/* 48 bytes. */
struct connect_event {
	__u64 ts_ns;			/* bpf_ktime_get_ns() at return */
	__u32 pid;			/* tgid */
	__u32 tid;
	__u32 uid;
	__be32 saddr;			/* the local address chosen */
	__be32 daddr;
	__u16 sport;			/* host order, as skc_num holds it */
	__be16 dport;			/* network order, as skc_dport holds it */
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct sock *);
	__uint(max_entries, 10240);
} sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tcp_v4_connect_entry, struct sock *sk)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&sockets, &tid, &sk, BPF_ANY);
	return 0;
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(tcp_v4_connect_exit, int ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pid_tgid;
	struct connect_event *e;
	struct sock **skpp;
	struct sock *sk;

	skpp = bpf_map_lookup_elem(&sockets, &tid);
	if (!skpp)
		return 0;
	if (ret != 0)
		goto cleanup;	/* the connect failed before a SYN was sent */
	sk = *skpp;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		goto cleanup;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = pid_tgid >> 32;
	e->tid = tid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
	e->daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	e->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);

cleanup:
	bpf_map_delete_elem(&sockets, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
