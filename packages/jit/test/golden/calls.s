# A bpf-to-bpf call, a helper call, a stack spill across the call.
*(u64 *)(r10 - 8) = r1
r1 = 5
call add2
r6 = r0
r1 = r6
call 5
r0 += r6
r1 = *(u64 *)(r10 - 8)
exit
add2:
r0 = r1
r0 += 2
exit
