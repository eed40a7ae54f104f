# A socket found by bpf_sk_lookup_tcp holds a reference until bpf_sk_release.
# prog_type: sched_cls
# expect: accept
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 24) = 0
*(u64 *)(r10 - 32) = 0
*(u64 *)(r10 - 40) = 0
r2 = r10
r2 += -40
r3 = 36
r4 = 0xffffffff ll
r5 = 0
call bpf_sk_lookup_tcp
if r0 == 0 goto out
r1 = r0
call bpf_sk_release
out:
r0 = 0
exit
