(module
  (type (;0;) (func (param i64 i64 i64 i64 i64 i64) (result i64)))
  (type (;1;) (func (param i64 i64 i64 i64 i64) (result i64)))
  (type (;2;) (func (param i32 i32 i32 i32 i64)))
  (type (;3;) (func (param i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (import "env" "memory" (memory 1 1 shared))
  (export "main" (func $main))
  (export "run_batch" (func $run_batch))
  (func $main (type 0) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64) (result i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $t i64) (local $u i64) (local $t32 i32) (local $pc i32) (local $loops i64)
    i32.const 0
    local.set $pc
    loop $dispatch
      block $b3
        block $b2
          block $b1
            block $b0
              local.get $pc
              br_table 0 1 2 3 0 ;; -> $b0 $b1 $b2 $b3 $b0
            end
            i64.const 0
            local.set $r0
            local.get $r1
            i64.const 0
            i64.eq
            if
              i32.const 2
              local.set $pc
              br 4 ;; -> $dispatch
            else
              i32.const 1
              local.set $pc
              br 4 ;; -> $dispatch
            end
            unreachable
          end
          local.get $r0
          i64.const 1
          i64.add
          local.set $r0
          local.get $r0
          i64.const 5
          i64.gt_s
          if
            i32.const 3
            local.set $pc
            br 3 ;; -> $dispatch
          else
            i32.const 2
            local.set $pc
            br 3 ;; -> $dispatch
          end
          unreachable
        end
        local.get $r0
        i64.const 2
        i64.add
        local.set $r0
        i32.const 1
        local.set $pc
        br 1 ;; -> $dispatch
      end
      local.get $r0
      return
    end
    unreachable
  )
  (func $run_batch (type 2) (param $base i32) (param $stride i32) (param $count i32) (param $out i32) (param $fp i64)
    (local $i i32)
    block $done
      loop $next
        local.get $i
        local.get $count
        i32.ge_u
        br_if 1 ;; -> $done
        local.get $out
        local.get $i
        i32.const 8
        i32.mul
        i32.add
        local.get $base
        local.get $i
        local.get $stride
        i32.mul
        i32.add
        i64.extend_i32_u
        i64.const 0
        i64.const 0
        i64.const 0
        i64.const 0
        local.get $fp
        call $main
        i64.store
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br 0 ;; -> $next
      end
    end
  )
)
