package cmdutil

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// explicitOnly are flags that viper never fills from the config file or
// the environment: writing secrets out, overwriting files and choosing an
// output file must be asked for on the command line.
var explicitOnly = map[string]bool{"output": true, "force": true, "inline-secrets": true, "show-secrets": true}

// ApplyDefaults fills each flag the user did not set from HUBCTL_* env
// variables, then from the config file. Flags keep the values, so commands
// read their options struct and never viper.
func ApplyDefaults(cmd *cobra.Command, configFile string) error {
	v := viper.New()
	if configFile != "" {
		v.SetConfigFile(configFile)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("reading %s: %w", configFile, err)
		}
	}
	v.SetEnvPrefix("HUBCTL")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	var problems []string
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed || explicitOnly[fl.Name] || !v.IsSet(fl.Name) {
			return
		}
		if err := cmd.Flags().Set(fl.Name, v.GetString(fl.Name)); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", fl.Name, err))
		}
	})
	if len(problems) > 0 {
		return fmt.Errorf("bad default from HUBCTL_* or %s: %s", configFile, strings.Join(problems, "; "))
	}
	return nil
}

// RenderFlags are the flags all render subcommands share.
type RenderFlags struct {
	Strict bool
}

// InlineSecretsUsage is the help text of --inline-secrets.
const InlineSecretsUsage = "write secret values into the output instead of references (the output file is made private)"
