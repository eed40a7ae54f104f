# A bounded size into an uninitialized buffer the helper fills.
# prog_type: kprobe
# privileges: CAP_BPF CAP_PERFMON
# expect: accept
r2 = *(u64 *)(r1 + 0)
r3 = *(u64 *)(r1 + 8)
r2 &= 15
r1 = r10
r1 += -16
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
call bpf_probe_read_kernel
r0 = *(u64 *)(r10 - 16)
exit
