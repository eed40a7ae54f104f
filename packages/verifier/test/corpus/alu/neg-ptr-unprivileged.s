# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R1 pointer arithmetic prohibited
r1 = -r1
r0 = 0
exit
