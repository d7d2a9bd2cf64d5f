package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"talus/internal/server"
)

// Every flag of `talus server` has two more sources, derived from its name
// so that a new flag needs nothing here: the environment variable
// TALUS_<NAME> (upper case, '-' as '_') and the key <name> of the TOML
// file given by --config. A flag on the command line wins over the
// environment, which wins over the file, which wins over the default.

// envName is the environment variable of a flag.
func envName(flagName string) string {
	return "TALUS_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// secretFlag reports whether a flag's value is a secret, which
// --print-config masks: its name says so (a file holding a secret is not one).
func secretFlag(name string) bool {
	if strings.HasSuffix(name, "-file") {
		return false
	}
	for _, w := range []string{"secret", "token", "password"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// multiValue is a repeatable flag: each Set appends, and the file gives
// it an array.
type multiValue interface{ Values() []string }

func (d *domains) Values() []string { return *d }

// parseLayered parses args into fl, then fills every flag not given on
// the command line from the environment or the config file. It reports
// whether --print-config was asked for.
func parseLayered(fl *flag.FlagSet, args []string, getenv func(string) string) (printConfig bool, err error) {
	cfgFile := fl.String("config", "", "TOML file of settings: one key per flag, named like the flag (env TALUS_CONFIG)")
	print := fl.Bool("print-config", false, "print the settings in effect (command line over environment over config file over defaults), secrets masked, as a config file; then exit")
	fl.Usage = func() {
		fmt.Fprintf(fl.Output(), "Usage of talus %s:\n", fl.Name())
		fl.PrintDefaults()
		fmt.Fprintf(fl.Output(), "\nEvery flag can also be set by the environment variable TALUS_<FLAG> (upper case, '-' as '_')\nor by the key <flag> in the --config file; the command line wins, then the environment, then the file.\n")
	}
	if err := fl.Parse(args); err != nil {
		return false, err
	}
	if fl.NArg() > 0 {
		return false, fmt.Errorf("unexpected argument %q", fl.Arg(0))
	}
	onCommandLine := map[string]bool{}
	fl.Visit(func(f *flag.Flag) { onCommandLine[f.Name] = true })
	if !onCommandLine["config"] {
		if v := getenv(envName("config")); v != "" {
			*cfgFile = v
		}
	}
	file := map[string]any{}
	if *cfgFile != "" {
		if _, err := toml.DecodeFile(*cfgFile, &file); err != nil {
			return false, fmt.Errorf("--config %s: %w", *cfgFile, err)
		}
	}
	for k := range file {
		if fl.Lookup(k) == nil || k == "config" || k == "print-config" {
			return false, fmt.Errorf("--config %s: unknown setting %q (keys are the flag names of talus server)", *cfgFile, k)
		}
	}
	var errs []error
	fl.VisitAll(func(f *flag.Flag) {
		if onCommandLine[f.Name] || f.Name == "config" || f.Name == "print-config" {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			vals := []string{v}
			if _, multi := f.Value.(multiValue); multi {
				vals = strings.Split(v, ",")
			}
			errs = append(errs, setAll(f, vals, "environment variable "+envName(f.Name)))
			return
		}
		if v, ok := file[f.Name]; ok {
			vals, err := fileValues(f, v)
			if err != nil {
				errs = append(errs, fmt.Errorf("--config %s: %s: %w", *cfgFile, f.Name, err))
				return
			}
			errs = append(errs, setAll(f, vals, "--config key "+f.Name))
		}
	})
	return *print, errors.Join(errs...)
}

func setAll(f *flag.Flag, vals []string, from string) error {
	for _, v := range vals {
		if err := f.Value.Set(v); err != nil {
			return fmt.Errorf("%s: invalid value %q: %w", from, v, err)
		}
	}
	return nil
}

// fileValues turns a TOML value into the strings flag.Value.Set takes.
func fileValues(f *flag.Flag, v any) ([]string, error) {
	if list, ok := v.([]any); ok {
		if _, multi := f.Value.(multiValue); !multi {
			return nil, errors.New("an array is only for repeatable settings")
		}
		out := make([]string, 0, len(list))
		for _, e := range list {
			s, err := scalar(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := scalar(v)
	return []string{s}, err
}

func scalar(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("unsupported value %v (%T): use a string, number or boolean", v, v)
}

// printConfig writes every setting in effect as a TOML config file, with
// secrets masked.
func printConfig(w io.Writer, fl *flag.FlagSet) error {
	var names []string
	values := map[string]any{}
	fl.VisitAll(func(f *flag.Flag) {
		if f.Name == "config" || f.Name == "print-config" {
			return
		}
		names = append(names, f.Name)
		values[f.Name] = tomlValue(f)
	})
	sort.Strings(names)
	fmt.Fprintln(w, "# talus server settings in effect (secrets masked)")
	for _, n := range names {
		b, err := toml.Marshal(map[string]any{n: values[n]})
		if err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func tomlValue(f *flag.Flag) any {
	if m, ok := f.Value.(multiValue); ok {
		return append([]string{}, m.Values()...)
	}
	if secretFlag(f.Name) {
		if f.Value.String() == "" {
			return ""
		}
		return "********"
	}
	if f.Name == "meta" {
		return server.RedactDSN(f.Value.String()) // a DSN may carry a password
	}
	if g, ok := f.Value.(flag.Getter); ok {
		switch v := g.Get().(type) {
		case bool, int, int64, uint, uint64, float64:
			return v
		case time.Duration:
			return v.String()
		}
	}
	return f.Value.String()
}
