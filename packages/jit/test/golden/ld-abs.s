# Legacy packet loads through r6.
r6 = r1
r0 = *(u16 *)skb[12]
r7 = 14
r0 = *(u8 *)skb[r7 + 9]
exit
