# A pointer plus a value with no lower bound.
# expect: reject EACCES math between fp pointer and register with unbounded min value is not allowed
call bpf_ktime_get_ns
r1 = r10
r1 += r0
r0 = 0
exit
