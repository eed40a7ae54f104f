# The difference of two pointers would leak addresses to an unprivileged loader.
# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R2 pointer -= pointer prohibited
r2 = r10
r2 -= r1
r0 = 0
exit
