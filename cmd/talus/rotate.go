package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"talus/internal/server"
)

const rotateUsage = `Usage: talus admin rotate-root [--data DIR] [--access-key AK --secret-key SK]

Replaces the root credentials of a data directory. Run it with the server
stopped: it takes the directory's lock and refuses while a server holds it.
The new pair comes from --access-key/--secret-key, else from
TALUS_ROOT_ACCESS_KEY/TALUS_ROOT_SECRET_KEY, else it is generated. A
generated pair is written to DIR/root-credentials.json (mode 0600) and
printed once; a given pair replaces that file only if it exists. Buckets,
objects, IAM users and their access keys are unchanged.
`

func runRotateRoot(args []string, dataDefault string, stdout io.Writer) error {
	fl := flag.NewFlagSet("rotate-root", flag.ContinueOnError)
	fl.Usage = func() { fmt.Fprint(os.Stderr, rotateUsage) }
	data := fl.String("data", dataDefault, "data directory")
	ak := fl.String("access-key", "", "new root access key ID")
	sk := fl.String("secret-key", "", "new root secret access key")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("rotate-root takes no arguments, got %q", fl.Args())
	}
	c, generated := rootPair{*ak, *sk}, false
	switch {
	case c.AccessKey != "" || c.SecretKey != "":
		if c.AccessKey == "" || c.SecretKey == "" {
			return errors.New("--access-key and --secret-key go together")
		}
		if err := checkPair(c, "--access-key", "--secret-key"); err != nil {
			return err
		}
	default:
		env, ok, err := envCredentials()
		if err != nil {
			return err
		}
		if ok {
			c = env
		} else {
			c, generated = generatePair(), true
		}
	}
	_, hadFile, err := readCredentialsFile(*data)
	if err != nil && !generated {
		return err
	}
	if err := server.RotateRoot(*data, c.AccessKey, c.SecretKey, func() error {
		if generated || hadFile {
			return writeCredentialsFile(*data, c)
		}
		return nil
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Rotated the root credentials of %s.\n  access key: %s\n", *data, c.AccessKey)
	if generated {
		fmt.Fprintf(stdout, "  secret key: %s\n(kept in %s/%s, mode 0600; the secret is shown only now)\n", c.SecretKey, *data, credentialsFile)
	} else if hadFile {
		fmt.Fprintf(stdout, "(%s/%s updated)\n", *data, credentialsFile)
	}
	return nil
}
