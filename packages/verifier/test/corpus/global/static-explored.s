# A static function is explored at each call with the caller's arguments: its constant result is
# known to the caller (here, a valid XDP verdict).
# func: 0 main global int ptr:STRUCT:xdp_md
# func: 3 two static int int
# log_level: 2
# expect: accept
r1 = 1
call two
exit
two:
r0 = 2
exit
