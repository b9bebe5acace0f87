package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/hubctl/hubctl/pkg/exitcode"
)

// AddFileFlag registers -f/--file on the commands that read (or, for
// init, write) a spec; usage says which.
func AddFileFlag(cmd *cobra.Command, f *Factory, usage string) {
	cmd.Flags().StringVarP(&f.Globals.File, "file", "f", "hubctl.yaml", usage+" (env HUBCTL_FILE)")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
}

// SpecFileUsage is -f's help text on the commands that read the spec.
const SpecFileUsage = `spec file ("-" reads standard input)`

// AddOutputFlag registers -o/--output on the commands that write data.
func AddOutputFlag(cmd *cobra.Command, f *Factory) {
	cmd.Flags().StringVarP(&f.Globals.Output, "output", "o", "", `write data to this file, atomically, instead of standard output ("-")`)
}

// explicitOnly are flags that are never filled from the config file or
// the environment: writing secrets out, overwriting files and choosing an
// output file must be asked for on the command line. --hub-token takes a
// reference, while HUBCTL_HUB_TOKEN, its variable by name, holds the token
// itself (hubctl doctor reads it so).
var explicitOnly = map[string]bool{"output": true, "force": true, "inline-secrets": true, "show-secrets": true, "help": true, "version": true, "hub-token": true}

// sourceAnnotation records on a flag where ApplyDefaults took its value
// from, for messages about a bad value.
const sourceAnnotation = "hubctl/source"

// EnvName is the environment variable that gives flag name a default.
func EnvName(flag string) string {
	return "HUBCTL_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// ApplyDefaults fills each flag the user did not set from its HUBCTL_*
// environment variable, then from the config file. Flags keep the values,
// so commands read their options struct and never viper; each defaulted
// flag remembers its source (FlagSource).
//
// A config file that is missing, or in a directory that cannot be read, is
// no error: most users have none. One that exists but cannot be read gets
// a warning on warnOut; one that is not YAML, or gives a key a value of
// the wrong type, is an error naming the file and the key.
func ApplyDefaults(cmd *cobra.Command, configFile string, warnOut io.Writer) error {
	config := readConfig(configFile, warnOut)
	if config.err != nil {
		return config.err
	}
	var problems []string
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed || explicitOnly[fl.Name] {
			return
		}
		if value, ok := os.LookupEnv(EnvName(fl.Name)); ok && value != "" {
			source := "$" + EnvName(fl.Name)
			if err := setDefault(cmd, fl, []string{value}, source); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", describeDefault(fl.Name, value, source), err))
			}
			return
		}
		if config.v == nil || !config.v.IsSet(fl.Name) {
			return
		}
		values, err := configValues(fl, config.v.Get(fl.Name))
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s: %v", config.name, fl.Name, err))
			return
		}
		if err := setDefault(cmd, fl, values, config.name); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", describeDefault(fl.Name, strings.Join(values, ","), config.name), err))
		}
	})
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

type config struct {
	v    *viper.Viper
	name string // the file as messages show it
	err  error
}

func readConfig(path string, warnOut io.Writer) config {
	if path == "" {
		return config{}
	}
	if _, err := os.Stat(path); err != nil {
		// Missing, or HOME (or a directory on the way) unreadable: no
		// config file, as far as hubctl can tell.
		return config{}
	}
	c := config{v: viper.New(), name: DisplayPath(path)}
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(warnOut, "hubctl: warning: ignoring %s: %v\n", c.name, unwrapPathError(err))
		return config{}
	}
	c.v.SetConfigType("yaml")
	if err := c.v.ReadConfig(strings.NewReader(string(data))); err != nil {
		c.err = fmt.Errorf("reading %s: %w", c.name, err)
	}
	return c
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// DisplayPath shows a path under the home directory as ~/..., as users
// type it.
func DisplayPath(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return path
	}
	if rel, err := filepath.Rel(home, path); err == nil && rel != "." && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel) {
		return "~" + string(filepath.Separator) + rel
	}
	return path
}

// configValues turns a YAML value into the text a flag parses, refusing
// shapes the flag cannot hold (viper would quietly make them empty).
func configValues(fl *pflag.Flag, v any) ([]string, error) {
	list := isList(fl)
	switch v := v.(type) {
	case nil:
		return nil, fmt.Errorf("expected %s, got no value", expected(fl))
	case []any:
		if !list {
			return nil, fmt.Errorf("expected %s, got a list", expected(fl))
		}
		values := make([]string, 0, len(v))
		for _, item := range v {
			if s, ok := scalar(item); ok {
				values = append(values, s)
			} else {
				return nil, fmt.Errorf("expected a list of strings, got a list holding %s", shape(item))
			}
		}
		return values, nil
	default:
		s, ok := scalar(v)
		if !ok {
			return nil, fmt.Errorf("expected %s, got %s", expected(fl), shape(v))
		}
		return []string{s}, nil
	}
}

func scalar(v any) (string, bool) {
	switch v.(type) {
	case string, bool, int, int64, uint64, float64:
		return fmt.Sprint(v), true
	}
	return "", false
}

func shape(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	case nil:
		return "no value"
	}
	return fmt.Sprintf("%T", v)
}

func isList(fl *pflag.Flag) bool {
	_, ok := fl.Value.(pflag.SliceValue)
	return ok
}

func expected(fl *pflag.Flag) string {
	switch fl.Value.Type() {
	case "bool":
		return "true or false"
	case "int", "int64", "uint", "uint64":
		return "a whole number"
	}
	if isList(fl) {
		return "a string or a list of strings"
	}
	return "a string"
}

func setDefault(cmd *cobra.Command, fl *pflag.Flag, values []string, source string) error {
	if sv, ok := fl.Value.(pflag.SliceValue); ok {
		if err := sv.Replace(values); err != nil {
			return err
		}
	} else {
		for _, v := range values {
			if err := fl.Value.Set(v); err != nil {
				if fl.Value.Type() == "bool" {
					return errors.New("expected true or false")
				}
				return err
			}
		}
	}
	// fl.Changed stays false: the user did not set it. Commands that ask
	// cmd.Flags().Changed keep seeing defaults as defaults.
	if fl.Annotations == nil {
		fl.Annotations = map[string][]string{}
	}
	fl.Annotations[sourceAnnotation] = []string{source}
	return nil
}

// FlagSource is where ApplyDefaults took flag name's value from ("$HUBCTL_FORMAT"
// or the config file), or "" when it came from the command line or is the
// built-in default.
func FlagSource(cmd *cobra.Command, name string) string {
	fl := cmd.Flags().Lookup(name)
	if fl == nil || fl.Changed {
		return ""
	}
	if s := fl.Annotations[sourceAnnotation]; len(s) > 0 {
		return s[0]
	}
	return ""
}

// DescribeFlag names a flag's value as the user gave it: --format "xml" on
// the command line, or format: "xml" (from $HUBCTL_FORMAT) for a default.
func DescribeFlag(cmd *cobra.Command, name, value string) string {
	if source := FlagSource(cmd, name); source != "" {
		return describeDefault(name, value, source)
	}
	return fmt.Sprintf("--%s %q", name, value)
}

func describeDefault(name, value, source string) string {
	return fmt.Sprintf("%s: %q (from %s)", name, value, source)
}

// BadFlagValue is the usage error for a flag value the command cannot use.
func BadFlagValue(cmd *cobra.Command, name, value, problem string) error {
	return exitcode.InvalidInput(fmt.Errorf("%s: %s", DescribeFlag(cmd, name, value), problem))
}

// RenderFlags are the flags all render subcommands share.
type RenderFlags struct {
	Strict bool
	// Offline forbids the network (OIDC discovery).
	Offline bool
}

// InlineSecretsUsage is the help text of --inline-secrets.
const InlineSecretsUsage = "write secret values into the output instead of references (the output file is made private)"
