# A packet pointer plus a value that may be anything.
# expect: reject EACCES math between pkt pointer and register with unbounded min value is not allowed
r6 = *(u32 *)(r1 + 0)
call bpf_get_prandom_u32
r0 <<= 32
r0 s>>= 32
r1 = r0
r1 <<= 32
r6 += r1
r0 = 0
exit
