package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
)

// Requests and replies of the program commands (packages/uapi/schema/bpf.v1.prog*.json).

type progLoadRequest struct { // bpf.v1.prog_load.request
	ProgType string `json:"prog_type"`
	Insns    string `json:"insns"`
	License  string `json:"license"`
	ProgName string `json:"prog_name,omitempty"`
}

type progLoadReply struct { // bpf.v1.prog_load.reply
	ProgID        uint32 `json:"prog_id"`
	VerifiedInsns uint32 `json:"verified_insns"`
}

type testRunRequest struct { // bpf.v1.prog.test_run.request
	DataIn string `json:"data_in"`
	Repeat uint32 `json:"repeat,omitempty"`
}

type testRunReply struct { // bpf.v1.prog.test_run.reply
	Retval   uint32 `json:"retval"`
	Duration uint32 `json:"duration"`
	DataOut  string `json:"data_out,omitempty"`
}

const xdpPass = 2

// passProgram is "r0 = XDP_PASS; exit", 8 bytes per instruction, little-endian:
// opcode, dst|src<<4, off (2 bytes), imm (4 bytes).
var passProgram = []byte{
	0xb7, 0x00, 0x00, 0x00, xdpPass, 0x00, 0x00, 0x00, // r0 = 2 (BPF_ALU64 | BPF_MOV | BPF_K)
	0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // exit
}

func progSubject(id uint32, cmd string) string { return fmt.Sprintf("bpf.v1.prog.%d.%s", id, cmd) }

// progSteps: an XDP program loaded (the kernel-sim verifies and compiles it) and run once on a
// 64-byte frame with BPF_PROG_TEST_RUN. link_create comes next, once its schema exists.
var progSteps = []Step{
	{"prog_load", func(s *Session) (Result, error) {
		var r progLoadReply
		req := progLoadRequest{ProgType: "xdp", Insns: base64.StdEncoding.EncodeToString(passProgram), License: "GPL", ProgName: "go_pass"}
		if err := s.Call("bpf.v1.prog_load", req, &r); err != nil {
			return nil, err
		}
		if r.ProgID == 0 {
			return nil, errors.New("prog_load replied prog_id 0")
		}
		s.ProgID = r.ProgID
		return Result{"prog_id": r.ProgID, "verified_insns": r.VerifiedInsns}, nil
	}},
	{"test_run", func(s *Session) (Result, error) {
		frame := bytes.Repeat([]byte{0xab}, 64)
		var r testRunReply
		if err := s.Call(progSubject(s.ProgID, "test_run"), testRunRequest{DataIn: base64.StdEncoding.EncodeToString(frame), Repeat: 1}, &r); err != nil {
			return nil, err
		}
		if r.Retval != xdpPass {
			return nil, fmt.Errorf("test_run: retval %d, the program returns XDP_PASS (%d)", r.Retval, xdpPass)
		}
		if out, err := base64.StdEncoding.DecodeString(r.DataOut); r.DataOut != "" && (err != nil || !bytes.Equal(out, frame)) {
			return nil, fmt.Errorf("test_run: data_out %q is not the frame sent unchanged", r.DataOut)
		}
		return Result{"retval": r.Retval, "duration": r.Duration}, nil
	}},
}
