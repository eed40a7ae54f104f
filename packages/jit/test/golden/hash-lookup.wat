(module
  (type (;0;) (func (param i64 i64 i64 i64 i64 i64) (result i64)))
  (type (;1;) (func (param i64 i64 i64 i64 i64) (result i64)))
  (type (;2;) (func (param i64 i64 i64 i64 i64 i64)))
  (type (;3;) (func (param i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (type (;4;) (func (param i32 i32 i32 i64) (result i64)))
  (type (;5;) (func (param i64) (result i64)))
  (import "h" "2:uuui:i" (func $helper_2 (type 4)))
  (import "env" "memory" (memory 1 1 shared))
  (global $batch_at (mut i32) (i32.const 0))
  (export "main" (func $main))
  (export "run_batch" (func $run_batch))
  (export "batch_at" (global $batch_at))
  (func $main (type 0) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64) (result i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $t i64) (local $u i64) (local $t32 i32) (local $pc i32) (local $loops i64)
    local.get $r1
    local.tee $r6
    i32.wrap_i64
    i64.load32_u offset=26 align=1
    local.set $r2
    local.get $r10
    i32.wrap_i64
    i32.const -4
    i32.add
    local.get $r2
    i64.store32 align=1
    local.get $r10
    local.tee $r2
    i64.const -4
    i64.add
    local.set $r2
    i64.const 65536
    local.set $r1
    local.get $r2
    call $hash_lookup_0
    local.tee $r0
    i64.const 0
    i64.eq
    if
      local.get $r10
      i32.wrap_i64
      i32.const -16
      i32.add
      i64.const 1
      i64.store align=1
      i64.const 65536
      local.set $r1
      local.get $r10
      local.tee $r2
      i64.const -4
      i64.add
      local.set $r2
      local.get $r10
      local.tee $r3
      i64.const -16
      i64.add
      local.set $r3
      i64.const 0
      local.set $r4
      local.get $r1
      i32.wrap_i64
      i32.const -1
      local.get $r1
      i64.const 4294967296
      i64.lt_u
      select
      local.get $r2
      i32.wrap_i64
      i32.const -1
      local.get $r2
      i64.const 4294967296
      i64.lt_u
      select
      local.get $r3
      i32.wrap_i64
      i32.const -1
      local.get $r3
      i64.const 4294967296
      i64.lt_u
      select
      local.get $r4
      call $helper_2
      local.set $r0
      i64.const 2
      local.tee $r0
      br 1
    else
      i64.const 1
      local.set $r1
      local.get $r0
      i32.wrap_i64
      local.get $r1
      i64.atomic.rmw.add
      drop
      i64.const 2
      local.tee $r0
      br 1
    end
    unreachable
  )
  (func $run_batch (type 2) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $t i64) (local $u i64) (local $t32 i32) (local $pc i32) (local $loops i64) (local $ctx i32) (local $stride i32) (local $count i32) (local $out i32) (local $fp i64)
    local.get $r1
    i32.wrap_i64
    local.set $ctx
    local.get $r2
    i32.wrap_i64
    local.set $stride
    local.get $r3
    i32.wrap_i64
    local.set $count
    local.get $r4
    i32.wrap_i64
    local.set $out
    local.get $r10
    local.set $fp
    block $done
      local.get $count
      i32.eqz
      br_if 0 ;; -> $done
      loop $next
        local.get $out
        global.set $batch_at
        local.get $out
        local.get $ctx
        i64.extend_i32_u
        local.set $r1
        i64.const 0
        local.set $r2
        i64.const 0
        local.set $r3
        i64.const 0
        local.set $r4
        i64.const 0
        local.set $r5
        local.get $fp
        local.set $r10
        i64.const 0
        local.set $r0
        i64.const 0
        local.set $r6
        i64.const 0
        local.set $r7
        i64.const 0
        local.set $r8
        i64.const 0
        local.set $r9
        block $run (result i64)
          local.get $r1
          local.tee $r6
          i32.wrap_i64
          i64.load32_u offset=26 align=1
          local.set $r2
          local.get $r10
          i32.wrap_i64
          i32.const -4
          i32.add
          local.get $r2
          i64.store32 align=1
          local.get $r10
          local.tee $r2
          i64.const -4
          i64.add
          local.set $r2
          i64.const 65536
          local.set $r1
          local.get $r2
          call $hash_lookup_0
          local.tee $r0
          i64.const 0
          i64.eq
          if
            local.get $r10
            i32.wrap_i64
            i32.const -16
            i32.add
            i64.const 1
            i64.store align=1
            i64.const 65536
            local.set $r1
            local.get $r10
            local.tee $r2
            i64.const -4
            i64.add
            local.set $r2
            local.get $r10
            local.tee $r3
            i64.const -16
            i64.add
            local.set $r3
            i64.const 0
            local.set $r4
            local.get $r1
            i32.wrap_i64
            i32.const -1
            local.get $r1
            i64.const 4294967296
            i64.lt_u
            select
            local.get $r2
            i32.wrap_i64
            i32.const -1
            local.get $r2
            i64.const 4294967296
            i64.lt_u
            select
            local.get $r3
            i32.wrap_i64
            i32.const -1
            local.get $r3
            i64.const 4294967296
            i64.lt_u
            select
            local.get $r4
            call $helper_2
            local.set $r0
            i64.const 2
            local.tee $r0
            br 1 ;; -> $run
          else
            i64.const 1
            local.set $r1
            local.get $r0
            i32.wrap_i64
            local.get $r1
            i64.atomic.rmw.add
            drop
            i64.const 2
            local.tee $r0
            br 1 ;; -> $run
          end
          unreachable
        end
        i64.store
        local.get $out
        i32.const 8
        i32.add
        local.set $out
        local.get $ctx
        local.get $stride
        i32.add
        local.set $ctx
        local.get $count
        i32.const 1
        i32.sub
        local.tee $count
        br_if 0 ;; -> $next
      end
    end
  )
  (func $hash_lookup_0 (type 5) (param $key i64) (result i64)
    (local $a i32) (local $h i32) (local $slots i32) (local $i i32) (local $s i32) (local $link i32) (local $left i32) (local $off i32) (local $k0 i32)
    local.get $key
    i32.wrap_i64
    local.set $a
    i32.const 305419900
    local.set $h
    local.get $a
    i32.load align=1
    local.set $k0
    local.get $h
    local.get $k0
    i32.const -862048943
    i32.mul
    i32.xor
    i32.const 461845907
    i32.mul
    i32.const 13
    i32.rotl
    local.set $h
    local.get $h
    local.get $h
    i32.const 16
    i32.shr_u
    i32.xor
    local.set $h
    local.get $h
    i32.const -2048144789
    i32.mul
    local.set $h
    local.get $h
    local.get $h
    i32.const 13
    i32.shr_u
    i32.xor
    local.set $h
    local.get $h
    i32.const -1028477387
    i32.mul
    local.set $h
    local.get $h
    local.get $h
    i32.const 16
    i32.shr_u
    i32.xor
    local.set $h
    i32.const 65560
    i32.atomic.load
    local.set $slots
    local.get $h
    i32.const 8191
    i32.and
    local.set $i
    i32.const 8192
    local.set $left
    block $miss
      loop $probe
        local.get $slots
        local.get $i
        i32.const 8
        i32.mul
        i32.add
        local.tee $s
        i32.atomic.load
        local.tee $link
        i32.eqz
        br_if 1 ;; -> $miss
        local.get $link
        i32.const 1
        i32.gt_u
        if
          block $next
            local.get $k0
            local.get $s
            i32.load offset=4
            i32.ne
            br_if 0 ;; -> $next
            local.get $link
            i32.load8_u offset=24
            i32.eqz
            if
              local.get $link
              i32.const 1
              i32.store8 offset=24
            end
            local.get $link
            i64.extend_i32_u
            i64.const 8
            i64.add
            return
          end
        end
        local.get $i
        i32.const 1
        i32.add
        i32.const 8191
        i32.and
        local.set $i
        local.get $left
        i32.const 1
        i32.sub
        local.tee $left
        br_if 0 ;; -> $probe
      end
    end
    i64.const 0
  )
)
