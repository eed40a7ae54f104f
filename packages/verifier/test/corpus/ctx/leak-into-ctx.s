# An unprivileged loader could read the pointer back from cb[].
# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R10 leaks addr into ctx
*(u32 *)(r1 + 48) = r10
r0 = 0
exit
