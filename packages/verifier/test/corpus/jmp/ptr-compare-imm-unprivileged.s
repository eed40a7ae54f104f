# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R1 pointer comparison prohibited
if r1 > 100 goto out
out:
r0 = 0
exit
