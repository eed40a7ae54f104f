# Comparing pointers leaks their order to an unprivileged loader.
# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R10 pointer comparison prohibited
if r1 == r10 goto out
out:
r0 = 0
exit
