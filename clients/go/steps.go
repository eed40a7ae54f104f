package main

import (
	"fmt"
	"sort"
	"strings"
)

// Result is what a step reports in the summary, beside its name and outcome.
type Result map[string]interface{}

// Step is one exchange with the services: it sends its request through the session, checks the
// reply, and may leave ids in the session for the steps after it.
type Step struct {
	Name string
	Run  func(s *Session) (Result, error)
}

// Session is the state the steps of one run share: the client and the ids of what they created.
type Session struct {
	*Client
	MapID  uint32
	ProgID uint32
	// Add LinkID here with the link steps.
}

// groups are the step lists -steps chooses from, run in the order given on the command line.
// "maps" needs the maps-store; "prog" needs the kernel-sim, the verifier and the jit. To add a
// group (links, pins, ...): write its []Step in a file of its own, each step checking its reply
// against packages/uapi/schema, and name it here.
var groups = map[string][]Step{
	"maps": mapSteps,
	"prog": progSteps,
}

// groupNames lists the known groups, for the usage text and errors.
func groupNames() string {
	names := make([]string, 0, len(groups))
	for name := range groups {
		names = append(names, name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// selectSteps turns "maps,prog" into the steps to run, or says which name it does not know.
func selectSteps(list string) ([]Step, error) {
	var steps []Step
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		group, ok := groups[name]
		if !ok {
			return nil, fmt.Errorf("unknown step group %q (known: %s)", name, groupNames())
		}
		steps = append(steps, group...)
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("no steps chosen (known groups: %s)", groupNames())
	}
	return steps, nil
}

// StepOutcome is one line of the summary.
type StepOutcome struct {
	Step   string `json:"step"`
	OK     bool   `json:"ok"`
	Error  string `json:"error,omitempty"`
	Result Result `json:"result,omitempty"`
}

// runSteps runs the steps in order and stops at the first that fails: later ones need its ids.
func runSteps(s *Session, steps []Step) ([]StepOutcome, bool) {
	outcomes := make([]StepOutcome, 0, len(steps))
	for _, step := range steps {
		result, err := step.Run(s)
		outcome := StepOutcome{Step: step.Name, OK: err == nil, Result: result}
		if err != nil {
			outcome.Error = err.Error()
		}
		outcomes = append(outcomes, outcome)
		if err != nil {
			return outcomes, false
		}
	}
	return outcomes, true
}
