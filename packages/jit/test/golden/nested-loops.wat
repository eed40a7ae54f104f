(module
  (type (;0;) (func (param i64 i64 i64 i64 i64 i64) (result i64)))
  (type (;1;) (func (param i64 i64 i64 i64 i64) (result i64)))
  (type (;2;) (func (param i64 i64 i64 i64 i64 i64)))
  (type (;3;) (func (param i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (import "env" "memory" (memory 1 1 shared))
  (export "main" (func $main))
  (export "run_batch" (func $run_batch))
  (func $main (type 0) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64) (result i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $t i64) (local $u i64) (local $t32 i32) (local $pc i32) (local $loops i64) (local $s0 i64) (local $s1 i64) (local $s2 i64)
    i64.const 0
    local.set $r0
    i64.const 4
    local.set $r6
    loop $loop1
      i64.const 3
      local.set $r7
      loop $loop5
        block $to3
          local.get $r7
          i64.const 15
          i64.gt_u
          if
            local.get $r7
            local.set $s0
            local.get $r0
            local.set $s1
            i64.const 0
            local.tee $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -1
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -2
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -3
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -4
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -5
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -6
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -7
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -8
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -9
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -10
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -11
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -12
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -13
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -14
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -15
            i64.add
            local.set $r7
            local.get $s2
            local.get $r7
            i64.add
            local.tee $s2
            local.get $s1
            i64.add
            local.set $r0
            local.get $s0
            i64.const -16
            i64.add
            local.tee $r7
            i64.const 0
            i64.ne
            br_if 2 ;; -> $loop5
            br 1 ;; -> $to3
          else
            block $to9
              local.get $r7
              i64.const 7
              i64.le_u
              br_if 0 ;; -> $to9
              local.get $r7
              local.set $s0
              local.get $r0
              local.set $s1
              i64.const 0
              local.tee $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -1
              i64.add
              local.set $r7
              local.get $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -2
              i64.add
              local.set $r7
              local.get $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -3
              i64.add
              local.set $r7
              local.get $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -4
              i64.add
              local.set $r7
              local.get $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -5
              i64.add
              local.set $r7
              local.get $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -6
              i64.add
              local.set $r7
              local.get $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -7
              i64.add
              local.set $r7
              local.get $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -8
              i64.add
              local.tee $r7
              i64.const 0
              i64.ne
              br_if 0 ;; -> $to9
              br 2 ;; -> $to3
            end
            block $to11
              local.get $r7
              i64.const 3
              i64.le_u
              br_if 0 ;; -> $to11
              local.get $r7
              local.set $s0
              local.get $r0
              local.set $s1
              i64.const 0
              local.tee $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -1
              i64.add
              local.set $r7
              local.get $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -2
              i64.add
              local.set $r7
              local.get $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -3
              i64.add
              local.set $r7
              local.get $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -4
              i64.add
              local.tee $r7
              i64.const 0
              i64.ne
              br_if 0 ;; -> $to11
              br 2 ;; -> $to3
            end
            local.get $r7
            i64.const 1
            i64.gt_u
            if
              local.get $r7
              local.set $s0
              local.get $r0
              local.set $s1
              i64.const 0
              local.tee $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -1
              i64.add
              local.set $r7
              local.get $s2
              local.get $r7
              i64.add
              local.tee $s2
              local.get $s1
              i64.add
              local.set $r0
              local.get $s0
              i64.const -2
              i64.add
              local.tee $r7
              i64.const 0
              i64.ne
              br_if 3 ;; -> $loop5
              br 2 ;; -> $to3
            else
              loop $loop2
                local.get $r0
                local.get $r7
                i64.add
                local.set $r0
                local.get $r7
                i64.const 1
                i64.sub
                local.tee $r7
                i64.const 0
                i64.eq
                br_if 3 ;; -> $to3
                local.get $r0
                local.get $r7
                i64.add
                local.set $r0
                local.get $r7
                i64.const 1
                i64.sub
                local.tee $r7
                i64.const 0
                i64.eq
                br_if 3 ;; -> $to3
                local.get $r0
                local.get $r7
                i64.add
                local.set $r0
                local.get $r7
                i64.const 1
                i64.sub
                local.tee $r7
                i64.const 0
                i64.eq
                br_if 3 ;; -> $to3
                local.get $r0
                local.get $r7
                i64.add
                local.set $r0
                local.get $r7
                i64.const 1
                i64.sub
                local.tee $r7
                i64.const 0
                i64.eq
                br_if 3 ;; -> $to3
                local.get $r0
                local.get $r7
                i64.add
                local.set $r0
                local.get $r7
                i64.const 1
                i64.sub
                local.tee $r7
                i64.const 0
                i64.eq
                br_if 3 ;; -> $to3
                local.get $r0
                local.get $r7
                i64.add
                local.set $r0
                local.get $r7
                i64.const 1
                i64.sub
                local.tee $r7
                i64.const 0
                i64.eq
                br_if 3 ;; -> $to3
                local.get $r0
                local.get $r7
                i64.add
                local.set $r0
                local.get $r7
                i64.const 1
                i64.sub
                local.tee $r7
                i64.const 0
                i64.eq
                br_if 3 ;; -> $to3
                local.get $r0
                local.get $r7
                i64.add
                local.set $r0
                local.get $r7
                i64.const 1
                i64.sub
                local.tee $r7
                i64.const 0
                i64.ne
                br_if 0 ;; -> $loop2
                br 3 ;; -> $to3
              end
            end
          end
        end
        local.get $r6
        i64.const 1
        i64.sub
        local.tee $r6
        i64.const 0
        i64.gt_s
        br_if 1 ;; -> $loop1
        local.get $r0
        br 2
      end
    end
    unreachable
  )
  (func $run_batch (type 2) (param $r1 i64) (param $r2 i64) (param $r3 i64) (param $r4 i64) (param $r5 i64) (param $r10 i64)
    (local $r0 i64) (local $r6 i64) (local $r7 i64) (local $r8 i64) (local $r9 i64) (local $t i64) (local $u i64) (local $t32 i32) (local $pc i32) (local $loops i64) (local $s0 i64) (local $s1 i64) (local $s2 i64) (local $ctx i32) (local $stride i32) (local $count i32) (local $out i32) (local $fp i64)
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
          i64.const 0
          local.set $r0
          i64.const 4
          local.set $r6
          loop $loop1
            i64.const 3
            local.set $r7
            loop $loop5
              block $to3
                local.get $r7
                i64.const 15
                i64.gt_u
                if
                  local.get $r7
                  local.set $s0
                  local.get $r0
                  local.set $s1
                  i64.const 0
                  local.tee $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -1
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -2
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -3
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -4
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -5
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -6
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -7
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -8
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -9
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -10
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -11
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -12
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -13
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -14
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -15
                  i64.add
                  local.set $r7
                  local.get $s2
                  local.get $r7
                  i64.add
                  local.tee $s2
                  local.get $s1
                  i64.add
                  local.set $r0
                  local.get $s0
                  i64.const -16
                  i64.add
                  local.tee $r7
                  i64.const 0
                  i64.ne
                  br_if 2 ;; -> $loop5
                  br 1 ;; -> $to3
                else
                  block $to9
                    local.get $r7
                    i64.const 7
                    i64.le_u
                    br_if 0 ;; -> $to9
                    local.get $r7
                    local.set $s0
                    local.get $r0
                    local.set $s1
                    i64.const 0
                    local.tee $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -1
                    i64.add
                    local.set $r7
                    local.get $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -2
                    i64.add
                    local.set $r7
                    local.get $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -3
                    i64.add
                    local.set $r7
                    local.get $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -4
                    i64.add
                    local.set $r7
                    local.get $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -5
                    i64.add
                    local.set $r7
                    local.get $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -6
                    i64.add
                    local.set $r7
                    local.get $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -7
                    i64.add
                    local.set $r7
                    local.get $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -8
                    i64.add
                    local.tee $r7
                    i64.const 0
                    i64.ne
                    br_if 0 ;; -> $to9
                    br 2 ;; -> $to3
                  end
                  block $to11
                    local.get $r7
                    i64.const 3
                    i64.le_u
                    br_if 0 ;; -> $to11
                    local.get $r7
                    local.set $s0
                    local.get $r0
                    local.set $s1
                    i64.const 0
                    local.tee $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -1
                    i64.add
                    local.set $r7
                    local.get $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -2
                    i64.add
                    local.set $r7
                    local.get $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -3
                    i64.add
                    local.set $r7
                    local.get $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -4
                    i64.add
                    local.tee $r7
                    i64.const 0
                    i64.ne
                    br_if 0 ;; -> $to11
                    br 2 ;; -> $to3
                  end
                  local.get $r7
                  i64.const 1
                  i64.gt_u
                  if
                    local.get $r7
                    local.set $s0
                    local.get $r0
                    local.set $s1
                    i64.const 0
                    local.tee $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -1
                    i64.add
                    local.set $r7
                    local.get $s2
                    local.get $r7
                    i64.add
                    local.tee $s2
                    local.get $s1
                    i64.add
                    local.set $r0
                    local.get $s0
                    i64.const -2
                    i64.add
                    local.tee $r7
                    i64.const 0
                    i64.ne
                    br_if 3 ;; -> $loop5
                    br 2 ;; -> $to3
                  else
                    loop $loop2
                      local.get $r0
                      local.get $r7
                      i64.add
                      local.set $r0
                      local.get $r7
                      i64.const 1
                      i64.sub
                      local.tee $r7
                      i64.const 0
                      i64.eq
                      br_if 3 ;; -> $to3
                      local.get $r0
                      local.get $r7
                      i64.add
                      local.set $r0
                      local.get $r7
                      i64.const 1
                      i64.sub
                      local.tee $r7
                      i64.const 0
                      i64.eq
                      br_if 3 ;; -> $to3
                      local.get $r0
                      local.get $r7
                      i64.add
                      local.set $r0
                      local.get $r7
                      i64.const 1
                      i64.sub
                      local.tee $r7
                      i64.const 0
                      i64.eq
                      br_if 3 ;; -> $to3
                      local.get $r0
                      local.get $r7
                      i64.add
                      local.set $r0
                      local.get $r7
                      i64.const 1
                      i64.sub
                      local.tee $r7
                      i64.const 0
                      i64.eq
                      br_if 3 ;; -> $to3
                      local.get $r0
                      local.get $r7
                      i64.add
                      local.set $r0
                      local.get $r7
                      i64.const 1
                      i64.sub
                      local.tee $r7
                      i64.const 0
                      i64.eq
                      br_if 3 ;; -> $to3
                      local.get $r0
                      local.get $r7
                      i64.add
                      local.set $r0
                      local.get $r7
                      i64.const 1
                      i64.sub
                      local.tee $r7
                      i64.const 0
                      i64.eq
                      br_if 3 ;; -> $to3
                      local.get $r0
                      local.get $r7
                      i64.add
                      local.set $r0
                      local.get $r7
                      i64.const 1
                      i64.sub
                      local.tee $r7
                      i64.const 0
                      i64.eq
                      br_if 3 ;; -> $to3
                      local.get $r0
                      local.get $r7
                      i64.add
                      local.set $r0
                      local.get $r7
                      i64.const 1
                      i64.sub
                      local.tee $r7
                      i64.const 0
                      i64.ne
                      br_if 0 ;; -> $loop2
                      br 3 ;; -> $to3
                    end
                  end
                end
              end
              local.get $r6
              i64.const 1
              i64.sub
              local.tee $r6
              i64.const 0
              i64.gt_s
              br_if 1 ;; -> $loop1
              local.get $r0
              br 2 ;; -> $run
            end
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
)
