# cpu v4 sign-extending moves.
# log_level: 2
# expect: accept
r2 = 255
r0 = (s8)r2
w3 = (s16)w2
r0 += r3
exit
