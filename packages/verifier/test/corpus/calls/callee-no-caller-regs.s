# A callee sees only r1-r5 of its caller.
# expect: reject EACCES R6 !read_ok
r6 = 1
call f
exit
f:
r0 = r6
exit
