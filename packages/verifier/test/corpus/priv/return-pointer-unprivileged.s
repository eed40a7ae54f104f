# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R0 leaks addr as return value
r0 = r10
exit
