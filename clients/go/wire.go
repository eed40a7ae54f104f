package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

// ErrnoHeader carries the errno number of an error reply (the NATS micro services convention).
const ErrnoHeader = "Nats-Service-Error-Code"

// BpfError is an error reply of the bpf(2)-over-NATS protocol: the errno number in the
// Nats-Service-Error-Code header and a JSON body (packages/uapi/schema/bpf.v1.error.json).
type BpfError struct {
	Errno   int    `json:"errno"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Log     string `json:"log,omitempty"`
	// HeaderErrno is the number the header carried; a well-behaved service sends Errno there too.
	HeaderErrno int `json:"header_errno"`
}

func (e *BpfError) Error() string {
	return fmt.Sprintf("%s (errno %d): %s", e.Code, e.Errno, e.Message)
}

// Client sends bpf.v1.* requests: JSON bodies whose byte strings are standard base64.
type Client struct {
	nc      *nats.Conn
	timeout time.Duration
}

// Call sends req (marshalled to JSON) to subject and decodes a success reply into reply
// (which may be nil). An error reply comes back as *BpfError; a subject nobody serves as an
// error that says so.
func (c *Client) Call(subject string, req interface{}, reply interface{}) error {
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("%s: encode request: %w", subject, err)
	}
	msg, err := c.nc.RequestMsg(&nats.Msg{Subject: subject, Data: body}, c.timeout)
	if errors.Is(err, nats.ErrNoResponders) {
		return fmt.Errorf("%s: no service answers this subject (is it running?)", subject)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", subject, err)
	}
	if code := msg.Header.Get(ErrnoHeader); code != "" {
		bpfErr := &BpfError{}
		if err := json.Unmarshal(msg.Data, bpfErr); err != nil {
			return fmt.Errorf("%s: error reply %s with a body that is not JSON: %q", subject, code, msg.Data)
		}
		bpfErr.HeaderErrno, _ = strconv.Atoi(code)
		return bpfErr
	}
	if reply == nil {
		return nil
	}
	if err := json.Unmarshal(msg.Data, reply); err != nil {
		return fmt.Errorf("%s: decode reply %q: %w", subject, msg.Data, err)
	}
	return nil
}
