# The context pointer is not known non-NULL to the verifier: comparing it is a pointer comparison.
# prog_type: socket_filter
# privileges: none
# expect: reject EACCES R1 pointer comparison prohibited
if r1 == 0 goto out
out:
r0 = 0
exit
