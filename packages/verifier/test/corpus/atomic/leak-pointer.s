# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R10 leaks addr into mem
*(u64 *)(r10 - 8) = 0
lock *(u64 *)(r10 - 8) += r10
r0 = 0
exit
