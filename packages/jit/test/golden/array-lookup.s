# options: {"maps": [{"kind": "array", "pointer": 65536, "valuesBase": 131072, "stride": 16, "maxEntries": 256}]}
# pktcount's lookup: an ARRAY map (value 16 bytes) indexed by a byte of the context. The lookup
# becomes address arithmetic (no helper import): key >= 256 ? NULL : 0x20000 + key << 4.
r2 = *(u8 *)(r1 + 9)
*(u32 *)(r10 - 4) = r2
r2 = r10
r2 += -4
r1 = 0x10000 ll
call 1
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 0)
r1 += 1
*(u64 *)(r0 + 0) = r1
out:
r0 = 2
exit
