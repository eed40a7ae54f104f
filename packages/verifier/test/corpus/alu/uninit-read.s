# Registers other than r1 and r10 start uninitialized.
# expect: reject EACCES R5 !read_ok
r0 = r5
exit
