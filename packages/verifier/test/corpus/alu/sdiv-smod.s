# cpu v4 signed division and modulo fold constants.
# log_level: 2
# expect: accept
r0 = 7
r0 s/= -2
r0 s%= 2
exit
