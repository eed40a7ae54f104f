package main

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
)

// Requests and replies of the map commands, named as packages/uapi/schema/*.json name them.

type mapCreateRequest struct { // bpf.v1.map_create.request
	MapType    string `json:"map_type"`
	KeySize    uint32 `json:"key_size"`
	ValueSize  uint32 `json:"value_size"`
	MaxEntries uint32 `json:"max_entries"`
	MapFlags   uint32 `json:"map_flags,omitempty"`
	MapName    string `json:"map_name,omitempty"`
}

type mapIDReply struct { // bpf.v1.map_id.reply
	MapID uint32 `json:"map_id"`
}

type mapUpdateRequest struct { // bpf.v1.map.update_elem.request
	Key   string `json:"key"`
	Value string `json:"value"`
	Flags uint32 `json:"flags"`
}

type mapKeyRequest struct { // bpf.v1.map.key.request
	Key string `json:"key"`
}

type mapValueReply struct { // bpf.v1.map.value.reply
	Value string `json:"value"`
}

type mapInfoReply struct { // bpf.v1.map.info.reply
	MapID      uint32 `json:"map_id"`
	MapType    uint32 `json:"map_type"`
	TypeName   string `json:"type_name"`
	KeySize    uint32 `json:"key_size"`
	ValueSize  uint32 `json:"value_size"`
	MaxEntries uint32 `json:"max_entries"`
	MapFlags   uint32 `json:"map_flags"`
	Name       string `json:"name"`
	Frozen     bool   `json:"frozen"`
}

func mapSubject(id uint32, cmd string) string { return fmt.Sprintf("bpf.v1.map.%d.%s", id, cmd) }

func u32(v uint32) string {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, v)
	return base64.StdEncoding.EncodeToString(b)
}

func u64(v uint64) string {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, v)
	return base64.StdEncoding.EncodeToString(b)
}

const (
	bpfAny   = 0 // update_elem flags: create or replace
	enoent   = 2
	hashType = 1 // BPF_MAP_TYPE_HASH
)

// mapSteps: a hash map of u32 keys and u64 values, an element written and read back, the map's
// info, and the ENOENT error reply for a key that is not there.
var mapSteps = []Step{
	{"map_create", func(s *Session) (Result, error) {
		var r mapIDReply
		req := mapCreateRequest{MapType: "hash", KeySize: 4, ValueSize: 8, MaxEntries: 16, MapName: "go_client"}
		if err := s.Call("bpf.v1.map_create", req, &r); err != nil {
			return nil, err
		}
		if r.MapID == 0 {
			return nil, errors.New("map_create replied map_id 0")
		}
		s.MapID = r.MapID
		return Result{"map_id": r.MapID}, nil
	}},
	{"update_elem", func(s *Session) (Result, error) {
		req := mapUpdateRequest{Key: u32(1), Value: u64(42), Flags: bpfAny}
		return Result{"key": req.Key, "value": req.Value}, s.Call(mapSubject(s.MapID, "update_elem"), req, nil)
	}},
	{"lookup_elem", func(s *Session) (Result, error) {
		var r mapValueReply
		if err := s.Call(mapSubject(s.MapID, "lookup_elem"), mapKeyRequest{Key: u32(1)}, &r); err != nil {
			return nil, err
		}
		raw, err := base64.StdEncoding.DecodeString(r.Value)
		if err != nil || len(raw) != 8 {
			return nil, fmt.Errorf("lookup_elem: value %q is not 8 bytes of base64", r.Value)
		}
		got := binary.LittleEndian.Uint64(raw)
		if got != 42 {
			return nil, fmt.Errorf("lookup_elem: read %d back, wrote 42", got)
		}
		return Result{"value": r.Value, "value_u64": got}, nil
	}},
	{"info", func(s *Session) (Result, error) {
		var r mapInfoReply
		if err := s.Call(mapSubject(s.MapID, "info"), struct{}{}, &r); err != nil {
			return nil, err
		}
		if r.MapID != s.MapID || r.MapType != hashType || r.KeySize != 4 || r.ValueSize != 8 || r.MaxEntries != 16 {
			return nil, fmt.Errorf("info does not describe the map created: %+v", r)
		}
		return Result{"info": r}, nil
	}},
	{"lookup_missing_key", func(s *Session) (Result, error) {
		err := s.Call(mapSubject(s.MapID, "lookup_elem"), mapKeyRequest{Key: u32(2)}, nil)
		var bpfErr *BpfError
		if !errors.As(err, &bpfErr) {
			return nil, fmt.Errorf("lookup of a missing key: want an ENOENT error reply, got %v", err)
		}
		if bpfErr.HeaderErrno != enoent || bpfErr.Errno != enoent || bpfErr.Code != "ENOENT" || bpfErr.Message == "" {
			return nil, fmt.Errorf("lookup of a missing key: want errno 2 ENOENT in header and body, got %+v", bpfErr)
		}
		return Result{"error": bpfErr}, nil
	}},
}
