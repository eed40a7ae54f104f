# expect: reject EACCES R2 !read_ok
r2 = 1
call f
r0 = r2
exit
f:
r0 = 0
exit
