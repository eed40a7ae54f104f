# Socket filters may be loaded by anyone.
# prog_type: socket_filter
# privileges: none
# log_level: 2
# expect: accept
r0 = *(u32 *)(r1 + 0)
exit
