package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"talus/internal/notify"
	"talus/internal/server"
)

// notifyFlag is the notification targets' file.
type notifyFlag struct {
	path string
	file *notify.File
}

func notifyFlags(fl *flag.FlagSet) *notifyFlag {
	n := &notifyFlag{}
	fl.StringVar(&n.path, "notify-config", env("TALUS_NOTIFY_CONFIG", ""),
		"event notification targets (JSON file, see docs/notifications.md; env TALUS_NOTIFY_CONFIG)")
	return n
}

func (n *notifyFlag) check() error {
	if n.path == "" {
		return nil
	}
	f, err := notify.LoadFile(n.path)
	if err != nil {
		return fmt.Errorf("--notify-config: %w", err)
	}
	n.file = f
	return nil
}

func (n *notifyFlag) apply(cfg server.Config) server.Config {
	cfg.Notify = n.file
	return cfg
}

const adminNotifyUsage = `Usage: talus admin notify [--config FILE] <command>

Reads the notification targets' file (--config, env TALUS_NOTIFY_CONFIG) as
the server does; secrets are never printed.

Commands:
  list         the targets: ARN, type, address
  test ARN     send an s3:TestEvent to the target and report the result
`

func runAdminNotify(args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("admin notify", flag.ContinueOnError)
	fl.Usage = func() { fmt.Fprint(os.Stderr, adminNotifyUsage) }
	path := fl.String("config", env("TALUS_NOTIFY_CONFIG", ""), "notification targets file")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	rest := fl.Args()
	if *path == "" || len(rest) == 0 {
		fmt.Fprint(os.Stderr, adminNotifyUsage)
		return errors.New("need --config FILE and a command")
	}
	f, err := notify.LoadFile(*path)
	if err != nil {
		return err
	}
	svc, err := notify.New(notify.Config{File: f})
	if err != nil {
		return err
	}
	defer svc.Close()
	switch {
	case rest[0] == "list" && len(rest) == 1:
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ARN\tTYPE\tADDRESS")
		for _, t := range svc.Targets() {
			typ := t.Type
			if t.EventBridge {
				typ += " (eventbridge)"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", t.ARN, typ, t.Address())
		}
		return w.Flush()
	case rest[0] == "test" && len(rest) == 2:
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		id := fmt.Sprintf("%X", time.Now().UnixNano())
		if err := svc.TestEvent(ctx, rest[1], "talus-admin-test", id, "talus-admin"); err != nil {
			return fmt.Errorf("%s: %w", rest[1], err)
		}
		fmt.Fprintf(stdout, "%s: s3:TestEvent delivered\n", rest[1])
		return nil
	}
	fmt.Fprint(os.Stderr, adminNotifyUsage)
	return fmt.Errorf("unknown notify command %q", rest)
}
