# r1-r5 are unreadable after a call.
# expect: reject EACCES R1 !read_ok
call bpf_ktime_get_ns
r0 = r1
exit
