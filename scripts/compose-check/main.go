// compose-check loads a compose file with compose-go, the loader `docker compose` itself uses:
// schema validation, interpolation, merging of `<<:` anchors and the consistency checks (every
// depends_on, volume and network must exist). It prints one JSON object describing each service so
// that the deploy descriptors test can check what the file runs, without Docker on the machine.
//
//	go run . ../../docker-compose.yml
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

type service struct {
	Image       string   `json:"image,omitempty"`
	Build       bool     `json:"build"`
	Command     []string `json:"command,omitempty"`
	Healthcheck []string `json:"healthcheck,omitempty"`
	DependsOn   []string `json:"dependsOn,omitempty"`
	Environment []string `json:"environment,omitempty"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <docker-compose.yml>")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	// Only the file's own defaults: a variable set in the caller's shell must not hide a missing one.
	options, err := cli.NewProjectOptions([]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithName("dockyard"),
		cli.WithConsistency(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	services := map[string]service{}
	for name, s := range project.Services {
		out := service{Image: s.Image, Build: s.Build != nil, Command: s.Command}
		if s.HealthCheck != nil && !s.HealthCheck.Disable {
			out.Healthcheck = s.HealthCheck.Test
		}
		for dependency := range s.DependsOn {
			out.DependsOn = append(out.DependsOn, dependency)
		}
		sort.Strings(out.DependsOn)
		for key := range s.Environment {
			out.Environment = append(out.Environment, key)
		}
		sort.Strings(out.Environment)
		services[name] = out
	}
	encoded, err := json.MarshalIndent(map[string]any{"name": project.Name, "services": services}, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(encoded))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "compose-check:", err)
	os.Exit(1)
}
