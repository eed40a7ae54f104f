# r10 is read-only.
# expect: reject EACCES frame pointer is read only
r10 = 0
r0 = 0
exit
