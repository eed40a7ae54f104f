# r6-r9 survive a helper call.
# expect: accept
r6 = r1
call bpf_ktime_get_ns
r0 = *(u32 *)(r6 + 12)
exit
