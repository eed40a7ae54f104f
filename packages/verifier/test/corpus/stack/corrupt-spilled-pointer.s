# Overwriting part of a spilled pointer would forge one.
# prog_type: socket_filter
# privileges: none
# expect: reject EACCES attempt to corrupt spilled pointer on stack
*(u64 *)(r10 - 8) = r1
*(u32 *)(r10 - 8) = 0
r0 = 0
exit
