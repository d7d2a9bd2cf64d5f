package main

import (
	"fmt"
	"os"
	"strings"

	"talus/internal/server"
)

// tierFlags collects --tier NAME=dir:/path and --tier NAME=s3:URL.
type tierFlags []server.TierConfig

func (t *tierFlags) String() string { return "" }

func (t *tierFlags) Set(v string) error {
	name, spec, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("want NAME=dir:/path or NAME=s3:https://host:port/bucket, not %q", v)
	}
	kind, where, _ := strings.Cut(spec, ":")
	switch kind {
	case "dir":
		if where == "" {
			return fmt.Errorf("tier %s: dir: needs a path", name)
		}
		*t = append(*t, server.TierConfig{Name: name, Dir: where})
	case "s3":
		*t = append(*t, server.TierConfig{Name: name, URL: where})
	default:
		return fmt.Errorf("tier %s: the kind is dir: or s3:, not %q", name, spec)
	}
	return nil
}

// pairFlags collects repeatable KEY=VALUE flags.
type pairFlags map[string]string

func (p pairFlags) String() string { return "" }

func (p pairFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" || val == "" {
		return fmt.Errorf("want KEY=VALUE, not %q", v)
	}
	if _, dup := p[k]; dup {
		return fmt.Errorf("%s is given twice", k)
	}
	p[k] = val
	return nil
}

// tierEnv is the prefix of a remote tier's credential variables:
// TALUS_TIER_<NAME>_ACCESS_KEY and _SECRET_KEY, NAME upper-cased with
// '-' as '_'.
func tierEnv(name string) string {
	return "TALUS_TIER_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_"
}

// tierCredentials fills remote tiers' credentials from the files given
// with --tier-credentials (access key on the first line, secret key on
// the second) or from the environment. Secrets are never logged.
func tierCredentials(tiers []server.TierConfig, files map[string]string) error {
	known := map[string]bool{}
	for i := range tiers {
		t := &tiers[i]
		known[t.Name] = true
		if t.URL == "" {
			if files[t.Name] != "" {
				return fmt.Errorf("--tier-credentials %s: tier %s is a directory", t.Name, t.Name)
			}
			continue
		}
		if f := files[t.Name]; f != "" {
			data, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("--tier-credentials %s: %w", t.Name, err)
			}
			lines := strings.Fields(string(data))
			if len(lines) != 2 {
				return fmt.Errorf("--tier-credentials %s: the file holds the access key and the secret key, one a line", t.Name)
			}
			t.AccessKey, t.SecretKey = lines[0], lines[1]
		} else {
			t.AccessKey, t.SecretKey = os.Getenv(tierEnv(t.Name)+"ACCESS_KEY"), os.Getenv(tierEnv(t.Name)+"SECRET_KEY")
		}
		t.Region = os.Getenv(tierEnv(t.Name) + "REGION")
		if t.AccessKey == "" || t.SecretKey == "" {
			return fmt.Errorf("remote tier %s needs credentials: --tier-credentials %s=FILE or %sACCESS_KEY and %sSECRET_KEY", t.Name, t.Name, tierEnv(t.Name), tierEnv(t.Name))
		}
	}
	for name := range files {
		if !known[name] {
			return fmt.Errorf("--tier-credentials names tier %s, which is not configured", name)
		}
	}
	return nil
}
