# log_level: 2
# expect: accept
r0 = 0x123456789abcdef0 ll
r0 >>= 60
exit
