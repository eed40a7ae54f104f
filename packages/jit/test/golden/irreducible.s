# Two entries into one loop: no structured form, so the dispatch loop.
r0 = 0
if r1 == 0 goto second
first:
r0 += 1
if r0 s> 5 goto done
second:
r0 += 2
goto first
done:
exit
