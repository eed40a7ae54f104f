# bpf_trace_printk needs CAP_PERFMON.
# privileges: CAP_BPF CAP_NET_ADMIN
# expect: reject EINVAL program of this type cannot use helper bpf_trace_printk#6
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
r2 = 8
call bpf_trace_printk
r0 = 0
exit
