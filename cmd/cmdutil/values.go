package cmdutil

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/hubctl/hubctl/pkg/exitcode"
	"github.com/hubctl/hubctl/pkg/lint"
	"github.com/hubctl/hubctl/pkg/valuesdoc"
)

// ValuesFlags are the flags of the commands that read chart values files
// (lint, migrate, import, render helm-values --merge).
type ValuesFlags struct {
	Prefix     string
	JupyterHub string
}

// AddValuesFlags registers --prefix and --jupyterhub.
func AddValuesFlags(cmd *cobra.Command, v *ValuesFlags) {
	cmd.Flags().StringVar(&v.Prefix, "prefix", "", `key path of the chart's values in a wrapping chart's file, such as daskhub.jupyterhub ("." for the top; default: detected)`)
	cmd.Flags().StringVar(&v.JupyterHub, "jupyterhub", lint.DefaultJupyterHub, "JupyterHub version the values are for (scopes and service keys)")
}

// PrefixPath is --prefix as a path, nil when it was not given.
func (v *ValuesFlags) PrefixPath(cmd *cobra.Command) valuesdoc.Path {
	if !cmd.Flags().Changed("prefix") && v.Prefix == "" {
		return nil
	}
	return valuesdoc.ParsePrefix(v.Prefix)
}

// ReadValuesFiles reads values files; one that cannot be read is a runtime
// error (exit 1) naming it.
func ReadValuesFiles(names []string) ([]lint.File, error) {
	var out []lint.File
	for _, n := range names {
		info, err := os.Stat(n)
		if err == nil && info.IsDir() {
			return nil, exitcode.InvalidInput(fmt.Errorf("%s is a directory, not a values file", n))
		}
		data, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, lint.File{Name: n, Data: data})
	}
	return out, nil
}

// ValuesError makes a values file that is not YAML, or cannot be read as
// chart values, invalid input (exit 2).
func ValuesError(err error) error {
	var syn *valuesdoc.SyntaxError
	var edit *valuesdoc.EditError
	if errors.As(err, &syn) || errors.As(err, &edit) || errors.Is(err, valuesdoc.ErrTooLarge) || errors.Is(err, valuesdoc.ErrAmbiguousPrefix) {
		return exitcode.InvalidInput(err)
	}
	return err
}
