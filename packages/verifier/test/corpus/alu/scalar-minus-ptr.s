# scalar -= pointer makes no sense.
# expect: reject EACCES R2 tried to subtract pointer from scalar
r2 = 0
r2 -= r1
r0 = 0
exit
