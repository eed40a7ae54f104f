#!/bin/sh
# Builds bin/bpfhive-go-client offline with Debian's Go toolchain and nats.go sources
# (apt-get install golang-go golang-github-nats-io-go-nats-dev), in GOPATH mode: nothing is
# downloaded. With network access, `go mod tidy && go build -o bin/bpfhive-go-client .` works too.
set -eu
cd "$(dirname "$0")"
gocode=${GOCODE:-/usr/share/gocode}
if [ ! -d "$gocode/src/github.com/nats-io/nats.go" ]; then
  echo "nats.go sources not found in $gocode: apt-get install golang-github-nats-io-go-nats-dev (or set GOCODE)" >&2
  exit 1
fi
mkdir -p bin
GO111MODULE=off GOPATH="$gocode" GOFLAGS= GOCACHE="${GOCACHE:-$PWD/.gocache}" \
  go build -o bin/bpfhive-go-client .
