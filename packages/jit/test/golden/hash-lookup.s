# options: {"typedHelpers": true, "maps": [{"kind": "hash", "pointer": 65536, "keySize": 4, "seed": 305419896, "capacity": 8192, "slotsCell": 65560, "keysInSlots": true, "valueOffset": 8, "refOffset": 24}]}
# hashcount's per-packet counter: a HASH map (here with an LRU ref byte) keyed by the IPv4 source.
# The lookup is a call of the module's own hash_lookup_0 (hash the key, probe the slots, set the ref
# byte on a hit); the update of a new key stays a helper, imported with the typed ABI (h.2:uuui:i).
r6 = r1
r2 = *(u32 *)(r6 + 26)
*(u32 *)(r10 - 4) = r2
r2 = r10
r2 += -4
r1 = 0x10000 ll
call 1
if r0 == 0 goto new
r1 = 1
lock *(u64 *)(r0 + 0) += r1
r0 = 2
exit
new:
*(u64 *)(r10 - 16) = 1
r1 = 0x10000 ll
r2 = r10
r2 += -4
r3 = r10
r3 += -16
r4 = 0
call 2
r0 = 2
exit
