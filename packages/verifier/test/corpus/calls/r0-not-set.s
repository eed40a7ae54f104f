# A subprogram that sets no r0 leaves the caller's r0 unreadable.
# expect: reject EACCES R0 !read_ok
call f
exit
f:
r1 = 0
exit
