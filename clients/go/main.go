// Command bpfhive-go-client drives bpfhive through its wire protocol alone — NATS subjects
// bpf.v1.*, JSON bodies as packages/uapi/schema/*.json describe them, base64 byte strings, errno
// error replies — to show that a client in any language needs nothing of the TypeScript code.
//
// It runs groups of steps (-steps, default "maps"), stops at the first step that fails, prints a
// JSON summary on standard output, and exits 0 when every step passed, 1 when one failed, 2 on a
// usage or connection error.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go"
)

// Summary is what the program prints.
type Summary struct {
	NatsURL string        `json:"nats_url"`
	OK      bool          `json:"ok"`
	Steps   []StepOutcome `json:"steps"`
}

func main() {
	defaultURL := os.Getenv("NATS_URL")
	if defaultURL == "" {
		defaultURL = nats.DefaultURL
	}
	url := flag.String("nats", defaultURL, "the NATS server (NATS_URL when set)")
	stepList := flag.String("steps", "maps", "comma-separated step groups to run: "+groupNames())
	timeout := flag.Duration("timeout", 5*time.Second, "how long each request may take")
	flag.Parse()

	steps, err := selectSteps(*stepList)
	if err != nil {
		fail(err)
	}
	nc, err := nats.Connect(*url, nats.Name("bpfhive-go-client"), nats.Timeout(*timeout))
	if err != nil {
		fail(fmt.Errorf("connect to %s: %w", *url, err))
	}
	defer nc.Close()

	outcomes, ok := runSteps(&Session{Client: &Client{nc: nc, timeout: *timeout}}, steps)
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	if err := out.Encode(Summary{NatsURL: *url, OK: ok, Steps: outcomes}); err != nil {
		fail(err)
	}
	if !ok {
		nc.Close()
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "Error: %v\n", err)
	os.Exit(2)
}
