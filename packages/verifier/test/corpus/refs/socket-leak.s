# prog_type: sched_cls
# expect: reject EINVAL Unreleased reference id=2 alloc_insn=11
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
r0 = 0
exit
