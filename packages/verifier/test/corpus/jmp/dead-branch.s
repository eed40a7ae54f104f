# A decided comparison explores one edge only: the bad load is never checked.
# log_level: 2
# expect: accept
r0 = 5
if r0 > 10 goto bad
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
