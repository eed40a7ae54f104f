# Legacy packet loads through r6 = skb.
# prog_type: socket_filter
# privileges: none
# log_level: 2
# expect: accept
r6 = r1
r0 = *(u8 *)skb[12]
r7 = r0
r0 = *(u16 *)skb[r7 + 2]
exit
